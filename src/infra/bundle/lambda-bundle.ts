/**
 * Bundles a Lambda handler with esbuild at synth time into an asset directory
 * (`index.js`, `guardrail.config.json` written from the validated config and `guardrail.definition.json`
 * from the validated definition with its rules) and a deterministic
 * zip of it. The same code and config always give the same bytes, so `source_code_hash`
 * changes only when the deployed code or config does. The packed package carries the bundles
 * prebuilt (dist/lambda/, written at `npm pack`), so an installed package needs neither the
 * TypeScript sources nor esbuild, and writes the same zip as this repository's synth.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { GuardrailConfig } from "../../config/schema";
import { stackAccountOf } from "../../config/sections/aws";
import type { GuardrailDefinition } from "../../guardrail/definition";
import { packageRoot } from "../../guardrail/rule-files";
import { inlinedRulesDefine } from "../../guardrail/shipped-rules";
import { cachedBuild } from "./bundle-cache";
import { zipEntries } from "./zip";

export interface LambdaBundle {
  /** Directory holding index.js, guardrail.config.json and guardrail.definition.json. */
  dir: string;
  /** Deterministic zip of `dir`, the file the Terraform asset points at. */
  zipFile: string;
  /** Bytes of index.js and of the zip. */
  codeBytes: number;
  zipBytes: number;
  sha256: string;
}

export interface BundleOptions {
  /** Handler source (TypeScript or JavaScript); must export `handler`. */
  entry: string;
  /** Written next to index.js; the handler reads it through GUARDRAIL_CONFIG (src/runtime/env.ts). */
  config: GuardrailConfig;
  /**
   * Written next to index.js; the handler reads it through GUARDRAIL_DEFINITION. The synth's definition (a
   * `--definition` and its rules/ folder included), not only the shipped rules the code has inlined: the
   * monitor must run the rules the synth tested and compiled into the event selectors and patterns.
   */
  definition: GuardrailDefinition;
  /** Where bundles are staged; default a private folder of this process (privateStagingDir). */
  stagingDir?: string;
}

export const CONFIG_FILE_IN_BUNDLE = "guardrail.config.json";
export const DEFINITION_FILE_IN_BUNDLE = "guardrail.definition.json";
export const HANDLER = "index.handler";

/** The Lambda handlers (src/handlers/<name>.ts), each bundled into one function's code. */
const HANDLER_NAMES = ["query-job", "realtime"] as const;

/** Where the packed package keeps the prebuilt bundles: esbuild's output, used as it is. */
const PREBUILT_DIR = path.join("dist", "lambda");

/** `src/handlers/<name>.ts` in the package, or its prebuilt bundle under dist/lambda/ (an installed package). */
export function handlerEntry(name: string, root: string = packageRoot()): string {
  const candidates = [path.join(root, "src", "handlers", `${name}.ts`), path.join(root, PREBUILT_DIR, `${name}.js`)];
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found)
    throw new Error(
      `Lambda handler "${name}" not found: expected src/handlers/${name}.ts in the bedrock-guardrail package`,
    );
  return found;
}

const cache = new Map<string, Buffer>();

/** esbuild options of every handler bundle; part of the disk cache key (bundle-cache.ts). */
const BUILD_OPTIONS = {
  bundle: true,
  platform: "node",
  target: "node22",
  format: "cjs",
  minify: true,
  legalComments: "none",
  sourcemap: false,
  // The Lambda runtime ships an SDK, but its version drifts; bundling ours keeps behaviour tested.
  external: [],
} as const;

/**
 * esbuild output for one entry: cached per process (several stacks and tests share it) and on disk
 * by a hash of its inputs, so a synth whose handler sources did not change skips esbuild.
 */
function bundleCode(entry: string): Buffer {
  const hit = cache.get(entry);
  if (hit) return hit;
  const root = packageRoot(path.dirname(entry));
  if (path.dirname(entry) === path.join(root, PREBUILT_DIR)) return fs.readFileSync(entry);
  // Loaded here: an installed package bundles nothing (its bundles are prebuilt) and has no esbuild.
  const { buildSync, version: esbuildVersion } = require("esbuild") as typeof import("esbuild");
  // The rule files go in as a constant: a Lambda reads no policies/ folder. Being part of the
  // settings, they are part of the cache key, so a new or changed rule file rebuilds the bundle.
  const define = inlinedRulesDefine();
  const { code } = cachedBuild({ root, entry, settings: { esbuild: esbuildVersion, ...BUILD_OPTIONS, define } }, () => {
    const result = buildSync({
      ...BUILD_OPTIONS,
      define,
      external: [...BUILD_OPTIONS.external],
      entryPoints: [entry],
      absWorkingDir: root, // keeps paths in the output relative, so no machine path leaks into the bundle
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    return { code: Buffer.from(result.outputFiles[0].contents), inputs: Object.keys(result.metafile.inputs) };
  });
  cache.set(entry, code);
  return code;
}

/**
 * The config the functions read, and nothing more: the aws section keeps the region and the security
 * account id (the planner's own account); the deployment credentials (profiles, role ARNs and external
 * ids of the management and security accounts) and the Terraform state backend stay out of the package.
 * A default config is written unchanged.
 */
export function lambdaConfig(config: GuardrailConfig): GuardrailConfig {
  // The account the monitor deploys to, also when only the role it assumes names it (stackAccountOf).
  const accountId = stackAccountOf(config.aws.security);
  return {
    ...config,
    aws: {
      region: config.aws.region,
      organization: {},
      security: accountId === undefined ? {} : { accountId },
      stateBackend: { type: "local" },
    },
  };
}

/**
 * Writes each handler's bundle to dist/lambda/<name>.js under `root` (`npm pack` runs this through
 * scripts/prebuild-handlers.js: the package ships them).
 * @public
 */
export function writePrebuiltHandlers(root: string = packageRoot()): string[] {
  fs.mkdirSync(path.join(root, PREBUILT_DIR), { recursive: true });
  return HANDLER_NAMES.map((name) => {
    const file = path.join(root, PREBUILT_DIR, `${name}.js`);
    fs.writeFileSync(file, bundleCode(path.join(root, "src", "handlers", `${name}.ts`)));
    return file;
  });
}

let processStagingDir: string | undefined;

/**
 * Where this process stages bundles by default: a fresh directory only its user can write (mkdtemp:
 * 0700, an unguessable name), removed when the process exits (the synth has copied the assets by
 * then). Not a fixed folder of the shared temp directory: another local user could make that folder
 * first, then swap a staged bundle before the synth copies it (code the monitor would run), or plant
 * links that make the staging overwrite the synth user's files.
 */
function privateStagingDir(): string {
  if (!processStagingDir) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bedrock-guardrail-assets-"));
    process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
    processStagingDir = dir;
  }
  return processStagingDir;
}

export function bundleLambda(options: BundleOptions): LambdaBundle {
  const code = bundleCode(options.entry);
  const configJson = Buffer.from(`${JSON.stringify(lambdaConfig(options.config), null, 2)}\n`, "utf8");
  const definitionJson = Buffer.from(`${JSON.stringify(options.definition)}\n`, "utf8");
  const zip = zipEntries([
    { name: "index.js", data: code },
    { name: CONFIG_FILE_IN_BUNDLE, data: configJson },
    { name: DEFINITION_FILE_IN_BUNDLE, data: definitionJson },
  ]);
  const sha256 = crypto.createHash("sha256").update(zip).digest("hex");
  const base = options.stagingDir ?? privateStagingDir();
  const dir = path.join(base, sha256.slice(0, 32));
  const zipFile = path.join(base, `${sha256.slice(0, 32)}.zip`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "index.js"), code);
  fs.writeFileSync(path.join(dir, CONFIG_FILE_IN_BUNDLE), configJson);
  fs.writeFileSync(path.join(dir, DEFINITION_FILE_IN_BUNDLE), definitionJson);
  fs.writeFileSync(zipFile, zip);
  return { dir, zipFile, codeBytes: code.length, zipBytes: zip.length, sha256 };
}
