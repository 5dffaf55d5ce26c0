/**
 * Before any worker starts: builds dist/ once when a source is newer than it (the suites that run the
 * compiled app or CLI would otherwise each rebuild it in parallel, and one could read dist/ while
 * another rewrites it), gives the run its own temporary directory (TMPDIR, which the workers and the
 * processes they start inherit; the teardown removes it, with whatever a killed worker left there, such
 * as the Lambda bundles a synth stages until its process exits), and starts the run's shared DynamoDB
 * Local in the background.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startSharedDynamoDbLocal } from "../support/dynamodb-local";

/** How the global teardown (a separate module, same process) finds what to stop and remove. */
const STOP = Symbol.for("bedrock-guardrail.test.stopDynamoDbLocal");
const RUN_TMP = Symbol.for("bedrock-guardrail.test.runTmpDir");

export default function globalSetup(): void {
  require(path.join(__dirname, "..", "..", "scripts", "ensure-built.js")).ensureBuilt();
  const runTmp = fs.mkdtempSync(path.join(os.tmpdir(), "bedrock-guardrail-test-"));
  process.env.TMPDIR = runTmp;
  (globalThis as Record<symbol, unknown>)[RUN_TMP] = runTmp;
  (globalThis as Record<symbol, unknown>)[STOP] = startSharedDynamoDbLocal();
}

export async function stopSharedServices(): Promise<void> {
  const shared = globalThis as Record<symbol, unknown>;
  await (shared[STOP] as (() => Promise<void>) | undefined)?.();
  const runTmp = shared[RUN_TMP] as string | undefined;
  if (runTmp) fs.rmSync(runTmp, { recursive: true, force: true });
}
