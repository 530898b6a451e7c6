/**
 * Glue between the process job and the request ledger (src/store/request-ledger.ts): claims the
 * request before any base-registry call, and when this exchange owns it, hands its answer to the
 * ledger (kept for re-sends when reusable) and wakes the exchanges that waited for it.
 */
import {
  isReusableAnswer,
  requestKeyOf,
  type ClaimOutcome,
  type ExchangeDeps,
  type ExchangeResult,
  type InboundRequest,
  type RequestClaim,
} from '../exchange/answer.js';
import type { Logger } from '../infra/logger.js';
import type { RequestKey, RequestLedger } from '../store/request-ledger.js';

interface WakeDeps {
  readonly queues: { enqueueProcess?(ref: string, round?: string): Promise<void> };
}
interface ClaimerDeps extends WakeDeps {
  readonly ledger?: RequestLedger | undefined;
  readonly observer?:
    | {
        onRequestIdReuse?(event: {
          exchangeRef: string;
          kind: 'resend-waited' | 'resend-replayed' | 'other-content' | 'other-requester';
        }): void;
      }
    | undefined;
}

export interface RequestClaimer {
  readonly claim: (claim: RequestClaim) => Promise<ClaimOutcome>;
  /** After this exchange's answer was saved. */
  complete(result: ExchangeResult): Promise<void>;
}

export function requestClaimer(deps: ClaimerDeps, ref: string, log: Logger): RequestClaimer | undefined {
  const ledger = deps.ledger;
  if (ledger === undefined) return undefined;
  let owned: RequestKey | undefined;
  return {
    async claim(c) {
      const key: RequestKey = { requester: c.requester, requestId: c.requestId, canonical: c.canonical };
      const got = await ledger.claim(key, ref);
      if (got.kind === 'first') {
        owned = key;
        if (got.reuse !== undefined) {
          // Never refused: a reused id (template ids, another requester) is a request of its own.
          log.warn(
            { reuse: got.reuse },
            'QueryRequest id seen before with other content or from another requester; answered on its own',
          );
          deps.observer?.onRequestIdReuse?.({ exchangeRef: ref, kind: got.reuse });
        }
        return { kind: 'first' };
      }
      if (got.kind === 'wait') {
        log.info('the same request is being answered by another exchange; this one is answered when it completes');
        deps.observer?.onRequestIdReuse?.({ exchangeRef: ref, kind: 'resend-waited' });
        return { kind: 'wait' };
      }
      log.info('the same request was answered before; sending its stored answer');
      deps.observer?.onRequestIdReuse?.({ exchangeRef: ref, kind: 'resend-replayed' });
      return { kind: 'replay', answer: got.answer };
    },
    async complete(result) {
      if (owned === undefined) return;
      const reusable = isReusableAnswer(result.summary);
      const waiters = await ledger.complete(
        owned,
        ref,
        reusable ? { outbound: result.outbound, summary: result.summary } : undefined,
      );
      await wake(deps, ref, waiters, log);
    },
  };
}

/** Processes the waiters again: they now find the stored answer, or (not reusable) one becomes the owner. */
export async function wake(deps: WakeDeps, ownerRef: string, waiters: readonly string[], log: Logger): Promise<void> {
  if (waiters.length === 0) return;
  if (deps.queues.enqueueProcess === undefined) {
    log.warn(
      { waiters: waiters.length },
      'no process queue to wake the waiting exchanges; the deadline sweep answers them',
    );
    return;
  }
  for (const w of waiters) await deps.queues.enqueueProcess(w, `after-${ownerRef}`);
  log.info({ waiters: waiters.length }, 'woke the exchanges waiting for this answer');
}

/**
 * After an answer that is not given again was stored outside the process job (the rescue sweep's
 * EDM:ERR:0008, the deadline sweep's EDM:ERR:0005): the request is forgotten, so that a re-send is
 * a new attempt, and those that waited for it are processed on their own.
 */
export async function forgetRequest(
  deps: WakeDeps & {
    readonly ledger?: RequestLedger | undefined;
    readonly exchange: ExchangeDeps;
    readonly logger: Logger;
  },
  ref: string,
  input: InboundRequest,
): Promise<void> {
  if (deps.ledger === undefined) return;
  const key = requestKeyOf(input, deps.exchange);
  if (key === undefined) return;
  await wake(deps, ref, await deps.ledger.complete(key, ref, undefined), deps.logger);
}
