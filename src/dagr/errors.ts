/**
 * The one error the DAGR client raises. Callers narrow on `cause` (a DagrFailureCause from the
 * exchange ports); `edmCode` is the EDM error the requester receives if the exchange ends here.
 */
import { AdapterError, type EdmErrorCode } from '../errors.js';
import type { DagrFailureCause } from '../exchange/ports.js';

export const DAGR_FAILURE_CAUSES: readonly DagrFailureCause[] = [
  'timeout',
  'unavailable',
  'rate-limited',
  'forbidden',
  'bad-request',
  'protocol',
];

/**
 * The EDM error for a DAGR failure (ports.ts): an outage or throttling the requester may retry
 * later is a timeout (`EDM:ERR:0005`); a refusal or an answer we cannot use is a query exception
 * (`EDM:ERR:0008`).
 */
export function edmCodeFor(cause: DagrFailureCause): EdmErrorCode {
  switch (cause) {
    case 'timeout':
    case 'unavailable':
    case 'rate-limited':
      return 'EDM:ERR:0005';
    case 'forbidden':
    case 'bad-request':
    case 'protocol':
      return 'EDM:ERR:0008';
  }
}

/** Whether a later attempt (a queue retry) could succeed where this one failed. */
export function isTransient(cause: DagrFailureCause): boolean {
  return cause === 'timeout' || cause === 'unavailable' || cause === 'rate-limited';
}

/**
 * A DAGR call that failed after the client's own retries. `cause` is the DagrFailureCause (as the
 * brief and ports.ts name it), not the underlying library error: axios errors carry the request
 * URL (which holds the object id, i.e. a personal code) and the Authorization header, so they are
 * deliberately not kept. `detail` says what happened in words safe to log (`HTTP 503`, `ECONNRESET`).
 */
export class DagrError extends AdapterError {
  override readonly name = 'DagrError';
  override readonly cause: DagrFailureCause;
  /** What happened, safe to log (no URL, no object id, no token). */
  readonly detail: string;
  /** HTTP status of the last attempt, when there was one. */
  readonly status: number | undefined;
  /** How long DAGR asked us to wait (429/503 `Retry-After`), in ms, when it said. */
  readonly retryAfterMs: number | undefined;

  constructor(
    cause: DagrFailureCause,
    detail: string,
    options?: { readonly status?: number | undefined; readonly retryAfterMs?: number | undefined },
  ) {
    super('ERR_DAGR', `DAGR call failed (${cause}): ${detail}`, { edmCode: edmCodeFor(cause) });
    this.cause = cause;
    this.detail = detail;
    this.status = options?.status;
    this.retryAfterMs = options?.retryAfterMs;
  }
}
