/**
 * What one HTTP attempt to DAGR came to: the raw response, or an AttemptFailure classifying what
 * went wrong (retryable? an outage for the breaker?). Internal to the client: callers only ever
 * see DagrError.
 */
import type { DagrFailureCause, DagrLookupResult } from '../exchange/ports.js';
import { parseRetryAfter } from './backoff.js';

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly body: string;
}

/** One failed attempt, classified. Internal: callers only ever see DagrError. */
export class AttemptFailure extends Error {
  constructor(
    readonly failure: DagrFailureCause,
    readonly detail: string,
    readonly flags: {
      readonly retryable: boolean;
      /** Counts against the circuit breaker (DAGR looks down). */
      readonly outage: boolean;
      readonly status?: number | undefined;
      readonly retryAfterMs?: number | undefined;
      readonly unauthorized?: boolean;
    },
  ) {
    super(detail);
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** `{data: [...]}` or a bare array of objects; undefined for anything else. */
export function recordsOf(parsed: unknown): Record<string, unknown>[] | undefined {
  const list = Array.isArray(parsed) ? parsed : isObject(parsed) ? parsed['data'] : undefined;
  if (!Array.isArray(list) || !list.every(isObject)) return undefined;
  return list;
}

/** Classifies a non-2xx answer. */
export function failureForStatus(raw: RawResponse, nowMs: number): AttemptFailure | undefined {
  const status = raw.status;
  if (status >= 200 && status < 300) return undefined;
  const retryAfterMs =
    status === 429 || status === 503 ? parseRetryAfter(headerValue(raw.headers['retry-after']), nowMs) : undefined;
  if (status === 401)
    return new AttemptFailure('forbidden', 'HTTP 401', { retryable: false, outage: false, status, unauthorized: true });
  if (status === 403)
    return new AttemptFailure('forbidden', 'HTTP 403 (permission missing, expired or out of purpose)', {
      retryable: false,
      outage: false,
      status,
    });
  if (status === 429)
    return new AttemptFailure('rate-limited', 'HTTP 429', { retryable: true, outage: false, status, retryAfterMs });
  if (status === 408 || status === 504)
    return new AttemptFailure('timeout', `HTTP ${status}`, { retryable: true, outage: true, status });
  if (status >= 500)
    return new AttemptFailure('unavailable', `HTTP ${status}`, { retryable: true, outage: true, status, retryAfterMs });
  if (status >= 400)
    return new AttemptFailure('bad-request', `HTTP ${status}`, { retryable: false, outage: false, status });
  return new AttemptFailure('protocol', `HTTP ${status}`, { retryable: false, outage: false, status });
}

function headerValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

/** A transport error (no HTTP answer) as a failure; its text names only the error code. */
export function networkFailure(error: unknown, aborted: boolean): AttemptFailure {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
  if (aborted || code === 'ETIMEDOUT' || code === 'ECONNABORTED' || code === 'ERR_CANCELED') {
    return new AttemptFailure('timeout', 'no answer within the timeout', { retryable: true, outage: true });
  }
  if (code === 'ERR_BAD_RESPONSE' || code === 'ERR_FR_MAX_CONTENT_LENGTH_EXCEEDED') {
    return new AttemptFailure('protocol', `unreadable response (${code})`, { retryable: false, outage: false });
  }
  return new AttemptFailure('unavailable', `connection failed (${code ?? 'network error'})`, {
    retryable: true,
    outage: true,
  });
}

/** The lookup answer of a record DAGR is still preparing. */
export type DeferredLookupResult = Extract<DagrLookupResult, { kind: 'deferred' }>;

/**
 * When DAGR has no `Retry-After` on its 202 (or one we cannot read), the adapter asks again after
 * this long: long enough not to poll a batch job, short enough to fit a typical answer deadline.
 */
export const DEFAULT_DEFERRED_RETRY_MS = 60_000;

/**
 * HTTP 202 to a lookup: DAGR accepted it but the record is being prepared (a clerk, a nightly
 * batch). `Retry-After` (delay-seconds or an HTTP-date, RFC 9110 §10.2.3) says when to ask again.
 */
export function deferredAnswer(raw: RawResponse, nowMs: number): DeferredLookupResult {
  const afterMs = parseRetryAfter(headerValue(raw.headers['retry-after']), nowMs) ?? DEFAULT_DEFERRED_RETRY_MS;
  return { kind: 'deferred', retryAt: new Date(nowMs + afterMs) };
}
