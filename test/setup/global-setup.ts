/**
 * Before any worker starts: builds dist/ once when a source is newer than it (the suites that run the
 * compiled app or CLI would otherwise each rebuild it in parallel, and one could read dist/ while
 * another rewrites it), and starts the run's shared DynamoDB Local in the background.
 */
import * as path from "node:path";
import { startSharedDynamoDbLocal } from "../support/dynamodb-local";

/** How the global teardown (a separate module, same process) finds what to stop. */
const STOP = Symbol.for("bedrock-guardrail.test.stopDynamoDbLocal");

export default function globalSetup(): void {
  require(path.join(__dirname, "..", "..", "scripts", "ensure-built.js")).ensureBuilt();
  (globalThis as Record<symbol, unknown>)[STOP] = startSharedDynamoDbLocal();
}

export async function stopSharedServices(): Promise<void> {
  const stop = (globalThis as Record<symbol, unknown>)[STOP] as (() => Promise<void>) | undefined;
  await stop?.();
}
