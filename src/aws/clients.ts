/**
 * One place that decides how the runtime's SDK clients retry. Every client gets an explicit
 * retry mode and attempt count, and a retry strategy that refuses to retry quota errors: the SDK
 * classifies some quota answers (IAM's LimitExceeded, HTTP 409) as throttling, and retrying a
 * quota only burns the Lambda's time before failing the same way.
 */
import { AdaptiveRetryStrategy, StandardRetryStrategy } from "@smithy/core/retry";
import type { RetryErrorInfo, RetryStrategyV2, RetryToken, StandardRetryToken } from "@smithy/types";

export type RetryMode = "standard" | "adaptive";

export interface RetrySettings {
  mode: RetryMode;
  /** Attempts including the first one. */
  maxAttempts: number;
}

/** The scheduled job can afford patience; a realtime invocation is retried by EventBridge anyway. */
export const DEFAULT_RETRY: RetrySettings = { mode: "adaptive", maxAttempts: 5 };

/** Error names that mean "a quota is used up", not "slow down": never retried. */
export const QUOTA_ERROR_NAMES: ReadonlySet<string> = new Set([
  "LimitExceeded", // IAM (409): e.g. the two-access-keys-per-user limit
  "LimitExceededException", // IAM/Organizations flavours that are quotas, not rates
  "ServiceQuotaExceededException",
  "QuotaExceededException",
  "EntityAlreadyExists",
]);

/** Organizations uses LimitExceededException for both; its Reason field says which. */
const RATE_REASONS = /TOO_MANY_REQUESTS|rate/i;

export function isQuotaError(error: unknown): boolean {
  if (!error || typeof error !== "object") return false;
  const e = error as { name?: string; Reason?: string; message?: string };
  if (!e.name || !QUOTA_ERROR_NAMES.has(e.name)) return false;
  if (e.name === "LimitExceededException" && RATE_REASONS.test(`${e.Reason ?? ""} ${e.message ?? ""}`)) return false;
  return true;
}

/** Wraps the SDK's standard or adaptive strategy; quota errors end the retries at once. */
export class QuotaAwareRetryStrategy implements RetryStrategyV2 {
  readonly mode: RetryMode;
  private readonly inner: StandardRetryStrategy | AdaptiveRetryStrategy;

  constructor(readonly settings: RetrySettings) {
    this.mode = settings.mode;
    this.inner =
      settings.mode === "adaptive"
        ? new AdaptiveRetryStrategy(async () => settings.maxAttempts)
        : new StandardRetryStrategy(async () => settings.maxAttempts);
  }

  acquireInitialRetryToken(retryTokenScope: string): Promise<RetryToken> {
    return this.inner.acquireInitialRetryToken(retryTokenScope);
  }

  refreshRetryTokenForRetry(token: RetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken> {
    if (isQuotaError(errorInfo.error)) return Promise.reject(errorInfo.error);
    return this.inner.refreshRetryTokenForRetry(token as StandardRetryToken, errorInfo);
  }

  recordSuccess(token: RetryToken): void {
    this.inner.recordSuccess(token as StandardRetryToken);
  }
}

/** Client options every runtime client gets; spread into the client constructor. */
export interface ClientOverrides {
  region?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  retry?: RetrySettings;
}

export function clientConfig(overrides: ClientOverrides = {}) {
  const retry = overrides.retry ?? DEFAULT_RETRY;
  return {
    ...(overrides.region ? { region: overrides.region } : {}),
    ...(overrides.endpoint ? { endpoint: overrides.endpoint } : {}),
    ...(overrides.credentials ? { credentials: overrides.credentials } : {}),
    maxAttempts: retry.maxAttempts,
    retryMode: retry.mode,
    retryStrategy: new QuotaAwareRetryStrategy(retry),
  };
}
