/**
 * A disk cache for the Lambda bundles, so a synth whose handler sources did not change skips esbuild
 * (~0.5-1 s a bundle). The key is a hash of everything the output depends on: esbuild's version and
 * options, the entry, package-lock.json (the bundled node_modules), and the content of every project
 * source esbuild read for the previous build (from its metafile). esbuild's output is a pure function
 * of those, so a hit returns the same bytes a build would; any changed input is a miss and a rebuild.
 * Entries live in the OS temp directory; deleting it only costs one build.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface CacheKeyParts {
  /** The package root: the entry and the inputs are relative to it. */
  root: string;
  entry: string;
  /** esbuild's version and options, and anything else the output depends on. */
  settings: unknown;
}

const sha256 = (...parts: (string | Buffer)[]): string => {
  const h = crypto.createHash("sha256");
  for (const p of parts) h.update(p).update("\0");
  return h.digest("hex");
};

function defaultCacheDir(): string {
  return path.join(os.tmpdir(), "bedrock-guardrail-bundle-cache");
}

function baseKey(k: CacheKeyParts): string {
  const lockfile = path.join(k.root, "package-lock.json");
  const lock = fs.existsSync(lockfile) ? fs.readFileSync(lockfile) : Buffer.alloc(0);
  return sha256(JSON.stringify(k.settings), path.relative(k.root, k.entry), lock);
}

/** The hash of the project sources the last build of this entry read, or undefined when one is gone. */
function sourcesHash(root: string, sources: string[]): string | undefined {
  const parts: (string | Buffer)[] = [];
  for (const rel of sources) {
    const file = path.join(root, rel);
    if (!fs.existsSync(file)) return undefined;
    parts.push(rel, fs.readFileSync(file));
  }
  return sha256(...parts);
}

/** An esbuild input no file holds, such as `<define:__NAME__>`. */
const isVirtualInput = (input: string): boolean => input.startsWith("<") && input.endsWith(">");

/** Writes atomically (a reader never sees half a file, and parallel synths do not clash). */
function writeAtomic(file: string, data: string | Buffer): void {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/**
 * The cached output for these inputs, or the result of `build` (which also returns the files it
 * read, relative to the root), stored for the next time.
 */
export function cachedBuild(
  k: CacheKeyParts,
  build: () => { code: Buffer; inputs: string[] },
  cacheDir = defaultCacheDir(),
): { code: Buffer; hit: boolean } {
  const base = baseKey(k);
  const manifestFile = path.join(cacheDir, `${base}.inputs.json`);
  try {
    const sources = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as string[];
    const hash = sourcesHash(k.root, sources);
    if (hash !== undefined)
      return { code: fs.readFileSync(path.join(cacheDir, `${sha256(base, hash)}.js`)), hit: true };
  } catch {
    // No manifest or no output yet (or an unreadable cache): build.
  }
  const { code, inputs } = build();
  // node_modules inputs are pinned by package-lock.json (in the base key); hash the project's own.
  // esbuild also lists virtual inputs in angle brackets (`<define:NAME>` for a define, `<runtime>`):
  // no file holds them, and what they hold is in the settings, so they are not hashed (hashing a
  // missing file would leave every build unstored: each synth bundled again, 0.35 s a handler).
  const sources = inputs.filter((f) => !f.split(/[\\/]/).includes("node_modules") && !isVirtualInput(f)).sort();
  const hash = sourcesHash(k.root, sources);
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    if (hash !== undefined) writeAtomic(path.join(cacheDir, `${sha256(base, hash)}.js`), code);
    writeAtomic(manifestFile, JSON.stringify(sources));
  } catch {
    // A cache that cannot be written only costs the next build.
  }
  return { code, hit: false };
}
