/**
 * One synth, as `npm run synth`, `npx cdktf synth` (both through main.ts) and `bedrock-guardrail synth`
 * run it: load the guardrail, lint the SCP (warnings go to stderr; errors stop it), run the rules' own
 * examples (a failing one stops it), write every stack as Terraform JSON into the output directory.
 * A synth that fails (config or lint error, failing rule test) removes the
 * previous output, so that a pipeline cannot apply a stale plan: only what a cdktf synth writes there
 * (a manifest.json that lists stacks, and stacks/), never other files of a folder someone pointed
 * `--out` at (a web project's root has a manifest.json too).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { App, TerraformStack } from "cdktf";
import { ConfigError } from "../config/load";
import { errorKind, errorText, oneLine } from "../errors/error-text";
import type { Guardrail } from "../guardrail/guardrail";
import { formatLint } from "../policy/lint";
import { buildApp } from "./app";
import { deployChecks } from "./deploy-checks";

type Sink = { write(text: string): unknown };

interface SynthIO {
  /** The paths written, one line each: all a pipeline that captures stdout gets. */
  stdout: Sink;
  /** Lint errors and warnings and why nothing was synthesized, in whole lines (the caller prefixes them). */
  stderr: Sink;
  /**
   * Where lint warnings go instead of stderr: the cdktf CLI labels every line an app writes on stderr "[ERROR]",
   * even a warning of a synth that succeeds, and prints both streams on its own stdout anyway.
   */
  warnings?: Sink;
  /** The option that names the output directory, for messages (`--out` in the CLI). */
  outdirOption?: string;
}

/** `stream` with `<prefix>: ` before every line written to it. */
export function prefixedLines(prefix: string, stream: Sink): Sink {
  return { write: (text: string) => stream.write(text.replace(/^(?=.)/gm, `${prefix}: `)) };
}

/** Whether `outdir` holds a cdktf output: a manifest.json that lists stacks (an object). */
function isCdktfOutput(outdir: string): boolean {
  try {
    const manifest: unknown = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8"));
    const stacks = (manifest as { stacks?: unknown } | null)?.stacks;
    return typeof stacks === "object" && stacks !== null && !Array.isArray(stacks);
  } catch {
    return false;
  }
}

/** Removes what a synth wrote in `outdir` (manifest.json, stacks/), then the folder if nothing else is left. */
function removeSynthOutput(outdir: string): void {
  fs.rmSync(path.join(outdir, "stacks"), { recursive: true, force: true });
  fs.rmSync(path.join(outdir, "manifest.json"), { force: true });
  if (fs.readdirSync(outdir).length === 0) fs.rmdirSync(outdir);
}

/**
 * Runs a step that writes into the output directory and returns its value. A file system error there (the
 * path is a file, not writable) is one line naming the directory (`--out cdktf.out: permission denied`) and
 * undefined; other errors propagate.
 */
function writingInto<T>(outdir: string, io: SynthIO, step: () => T): T | undefined {
  try {
    return step();
  } catch (e) {
    if (errorKind(e) !== "file") throw e;
    // The path as one readable line (a newline or 5 KB in it is not echoed as such).
    io.stderr.write(`${io.outdirOption ? `${io.outdirOption} ` : ""}${oneLine(outdir, 160)}: ${errorText(e)}\n`);
    return undefined;
  }
}

/**
 * Exit codes: 0 written, 1 the output directory could not be written, 2 a config or lint error or a failing
 * rule test (nothing written).
 */
export function synthGuardrail(load: () => Guardrail, outdir: string, io: SynthIO): 0 | 1 | 2 {
  const fail = (message: string): 2 => {
    const stale = isCdktfOutput(outdir);
    if (stale) removeSynthOutput(outdir);
    io.stderr.write(`${message}\n`);
    const removed = stale ? `; the previous ${outdir} was removed (no stale plan)` : "";
    io.stderr.write(`nothing was synthesized${removed}\n`);
    return 2;
  };
  let guardrail: Guardrail;
  try {
    guardrail = load();
  } catch (e) {
    if (e instanceof ConfigError) return fail(e.message);
    throw e;
  }
  const checks = deployChecks(guardrail);
  const { lint } = checks;
  if (lint.findings.length > 0)
    (lint.errors.length > 0 ? io.stderr : (io.warnings ?? io.stderr)).write(`${formatLint(lint)}\n`);
  // The rules drive the deployed monitor: a definition whose rules fail their own examples is not deployed.
  const problems = [...(lint.errors.length > 0 ? ["the SCP failed lint"] : []), ...checks.problems];
  if (problems.length > 0) return fail(problems.join("\n"));
  // The output directory is made when the app is, and written when it synthesizes.
  const app = writingInto(outdir, io, () => new App({ outdir }));
  if (!app) return 1;
  buildApp(guardrail, app);
  const written = writingInto(outdir, io, () => {
    app.synth();
    return true;
  });
  if (!written) return 1;
  for (const stack of app.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack)) {
    io.stdout.write(`bedrock-guardrail: ${path.join(app.outdir, "stacks", stack.node.id, "cdk.tf.json")}\n`);
  }
  return 0;
}
