/**
 * One place that decides how the runtime's SDK clients retry. Every client gets an explicit
 * retry mode and attempt count, and a retry strategy that refuses to retry quota errors: the SDK
 * classifies some quota answers (IAM's LimitExceeded, HTTP 409) as throttling, and retrying a
 * quota only burns the Lambda's time before failing the same way.
 */
import { AdaptiveRetryStrategy, StandardRetryStrategy } from "@smithy/core/retry";
import type {
  RetryErrorInfo,
  RetryStrategyV2,
  RetryToken,
  StandardRetryBackoffStrategy,
  StandardRetryToken,
} from "@smithy/types";
import { isQuotaError } from "../errors/error-text";

type RetryMode = "standard" | "adaptive";

export interface RetrySettings {
  mode: RetryMode;
  /** Attempts including the first one. */
  maxAttempts: number;
  /**
   * How long to wait before each retry; the SDK's jittered exponential back-off when absent. Tests of
   * the retry logic against loopback servers pass a zero back-off (the waiting itself is the SDK's).
   */
  backoff?: StandardRetryBackoffStrategy;
}

/** The scheduled job can afford patience; a realtime invocation is retried by EventBridge anyway. */
const DEFAULT_RETRY: RetrySettings = { mode: "adaptive", maxAttempts: 5 };
/** Quota errors ("a quota is used up", not "slow down") are told apart in the one error vocabulary. */

// With options, the SDK's strategies take maxAttempts as a number (a provider would be read as 3).
const standardStrategy = ({ maxAttempts, backoff }: RetrySettings) =>
  backoff ? new StandardRetryStrategy({ maxAttempts, backoff }) : new StandardRetryStrategy(async () => maxAttempts);
const adaptiveStrategy = ({ maxAttempts, backoff }: RetrySettings) =>
  backoff ? new AdaptiveRetryStrategy(maxAttempts, { backoff }) : new AdaptiveRetryStrategy(async () => maxAttempts);

/** Wraps the SDK's standard or adaptive strategy; quota errors end the retries at once. */
class QuotaAwareRetryStrategy implements RetryStrategyV2 {
  readonly mode: RetryMode;
  private readonly inner: StandardRetryStrategy | AdaptiveRetryStrategy;

  constructor(readonly settings: RetrySettings) {
    this.mode = settings.mode;
    this.inner = settings.mode === "adaptive" ? adaptiveStrategy(settings) : standardStrategy(settings);
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
