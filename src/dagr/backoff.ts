/**
 * Retry timing for DAGR calls: exponential backoff with full jitter (AWS Architecture Blog,
 * "Exponential Backoff And Jitter"), and `Retry-After` (RFC 9110 §10.2.3) parsing. Pure: the clock
 * and the random source come in as arguments.
 */

/**
 * Delay before retry number `retry` (0 = the first retry): a uniform draw from
 * [0, min(capMs, baseMs · 2^retry)). Full jitter spreads the retries of many workers that failed
 * together, so they do not hit a recovering DAGR in one wave.
 */
export function backoffDelay(retry: number, baseMs: number, capMs: number, random: () => number): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, retry));
  return Math.floor(Math.min(Math.max(random(), 0), 0.999_999) * ceiling);
}

/**
 * A `Retry-After` value in milliseconds from now: either delay-seconds (`120`) or an HTTP-date
 * (`Wed, 21 Oct 2015 07:28:00 GMT`; a date in the past means 0). Undefined when absent or unreadable.
 */
export function parseRetryAfter(
  value: string | readonly string[] | undefined | null,
  nowMs: number,
): number | undefined {
  const raw = Array.isArray(value) ? (value as readonly string[])[0] : (value as string | undefined | null);
  if (raw === undefined || raw === null) return undefined;
  const text = raw.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    return Number.isSafeInteger(seconds) ? seconds * 1000 : undefined;
  }
  // IMF-fixdate and the obsolete forms Date.parse understands; refuse bare numbers with signs or dots.
  if (!/[A-Za-z]/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

export interface RetryDecisionInput {
  /** 0 = deciding about the first retry. */
  readonly retry: number;
  readonly retries: number;
  /** What the server asked for, in ms (see parseRetryAfter). */
  readonly retryAfterMs: number | undefined;
  readonly baseMs: number;
  readonly capMs: number;
  /** Longest Retry-After we are willing to wait inside one call. */
  readonly maxRetryAfterMs: number;
  readonly random: () => number;
}

/**
 * How long to wait before the next attempt, or `give-up` when the retry budget is spent or the
 * server asks for a longer pause than we may wait inside one call (a queue-level retry later is the
 * better place for that wait).
 */
export function retryDelay(input: RetryDecisionInput): number | 'give-up' {
  if (input.retry >= input.retries) return 'give-up';
  if (input.retryAfterMs !== undefined) {
    if (input.retryAfterMs > input.maxRetryAfterMs) return 'give-up';
    return input.retryAfterMs;
  }
  return backoffDelay(input.retry, input.baseMs, input.capMs, input.random);
}
