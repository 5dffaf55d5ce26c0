/**
 * A retry back-off of zero for tests that drive the SDK's retries against loopback servers: they check
 * which answers are retried and how often, not how long the SDK waits (the SDK's own jittered waits
 * added seconds of idle time per suite).
 */
import type { StandardRetryBackoffStrategy } from "@smithy/types";

export const NO_BACKOFF: StandardRetryBackoffStrategy = {
  computeNextBackoffDelay: () => 0,
  setDelayBase: () => undefined,
};
