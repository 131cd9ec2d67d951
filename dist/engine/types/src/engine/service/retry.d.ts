/** The retry policy of the protocol client (ADR 0020). */
export interface RetryPolicy {
    /** Attempts per call, the first included. */
    maxAttempts: number;
    /** First backoff ceiling, ms; doubled per attempt. */
    baseDelayMs: number;
    /** Largest backoff ceiling, ms. */
    maxDelayMs: number;
}
export declare const DEFAULT_RETRY: RetryPolicy;
/** Network errors and these answers are worth another try; anything else is final. */
export declare function isRetryableStatus(status: number): boolean;
/** Exponential backoff with full jitter: uniform in [0, min(max, base·2^(attempt-1))). */
export declare function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number;
/** `Retry-After` as ms from `now`: delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export declare function parseRetryAfter(value: string | null, now: number): number | undefined;
