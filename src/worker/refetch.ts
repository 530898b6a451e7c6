/**
 * Deferred answers in the worker (src/exchange/deferred.ts decides, this module keeps the promise).
 * An exchange answered "later" gets two outbound messages, each sent once:
 * 1. the notice (status Unavailable, `ResponseAvailableDateTime`) under its own deterministic
 *    MessageId (`noticeMessageId`), sent from the process job that met the deferral. The deferral
 *    book remembers when it was taken by the connector, so a re-run never sends it again;
 * 2. the answer, under the exchange's usual MessageId (`answerMessageId`), from a process job the
 *    refetch sweep queues once the due time has come. The exchange stays `processing` until then.
 *
 * Nothing depends on a delayed job surviving: the due time is in the deferral book (Redis, written
 * durably when the store is), and the sweep queues the refetch again every round until an answer
 * is stored (a job lost in a fail-over, a worker that died). Two refetch runs are harmless: the
 * first stored answer wins (saveAnswer), as everywhere else. The answer deadline still holds: the
 * exchange is in the deadline book, so a refetch that never comes is answered EDM:ERR:0005 by the
 * deadline sweep, and one that comes after the deadline gets EDM:ERR:0005 from the use case.
 */
import type { ExchangeResult } from '../exchange/answer.js';
import type { Submitter } from '../exchange/ports.js';
import type { SubmitFailure } from '../connector/port.js';
import type { JobContext } from '../queue/queues.js';
import type { DeadlineBook } from '../store/deadline-book.js';
import type { DeferralBook } from '../store/deferral-book.js';
import type { ExchangeStore, InboundMessage } from '../store/exchange-store.js';
import type { Logger } from '../infra/logger.js';
import { startPeriodic } from '../infra/periodic.js';
import { noticeMessageId } from './answer-identity.js';

/** What keeping a deferral needs of the handler's dependencies (src/worker/handlers.ts). */
export interface DeferralDeps {
  readonly deferrals: DeferralBook;
  readonly deadlines?: DeadlineBook | undefined;
  readonly exchange: { readonly messageDomain: string };
  readonly submitter: Submitter & { classifyFailure?(error: unknown): SubmitFailure };
  readonly observer?:
    | {
        onDeferred?(event: {
          exchangeRef: string;
          inbound: InboundMessage;
          result: ExchangeResult;
        }): void | Promise<void>;
      }
    | undefined;
}

/**
 * The process job met a deferral (`result.deferredUntil`): remembers when to ask again, keeps the
 * answer deadline's safety net, and sends the notice unless it was sent before. Throws (the job
 * retries) when the notice could not be handed over and attempts remain.
 */
export async function keepDeferral(
  deps: DeferralDeps,
  ref: string,
  inbound: InboundMessage,
  result: ExchangeResult & { readonly deferredUntil: Date },
  deadline: { readonly at: Date } | undefined,
  ctx: Pick<JobContext, 'final' | 'log'>,
): Promise<void> {
  const { noticeSent } = await deps.deferrals.defer(ref, result.deferredUntil.getTime());
  if (deadline !== undefined) await deps.deadlines?.add(ref, deadline.at.getTime());
  const availableAt = result.deferredUntil.toISOString();
  if (noticeSent) {
    ctx.log.info({ availableAt }, 'still being prepared; asked again later (the notice was sent before)');
    return;
  }
  const outbound = {
    ...result.outbound,
    userMessage: { ...result.outbound.userMessage, messageId: noticeMessageId(ref, deps.exchange.messageDomain) },
  };
  try {
    await deps.submitter.submit(ref, outbound);
  } catch (error) {
    // Taken but not confirmed yet counts as sent: a resubmission would carry the same MessageId.
    if (deps.submitter.classifyFailure?.(error) !== 'pending') {
      if (!ctx.final) throw error;
      // The answer itself is still coming at the due time: only the courtesy of the notice is lost.
      ctx.log.error({ availableAt }, 'the deferred notice could not be sent; the answer follows at the due time');
      return;
    }
  }
  await deps.deferrals.noticeSent(ref);
  ctx.log.info({ availableAt }, 'answer deferred: notice sent (status Unavailable)');
  await deps.observer?.onDeferred?.({ exchangeRef: ref, inbound, result: { ...result, outbound } });
}

/** When exchange `ref` was promised its answer, read only when a mapping asks (AnswerOptions.deferredUntil). */
export function deferredUntilOf(deferrals: DeferralBook, ref: string): () => Promise<Date | undefined> {
  return async () => {
    const atMs = await deferrals.dueAt(ref);
    return atMs === undefined ? undefined : new Date(atMs);
  };
}

export interface RefetchSweepOptions {
  readonly deferrals: DeferralBook;
  readonly store: Pick<ExchangeStore, 'getState'>;
  readonly queues: { enqueueProcess(ref: string, round?: string): Promise<void> };
  readonly logger: Logger;
  readonly now?: () => Date;
  readonly intervalMs: number;
  /** Exchanges looked at per round. Default 200. */
  readonly limit?: number;
}

/**
 * Queues the refetch of every deferred exchange whose time has come. The job id carries the due
 * time: queued once per due time while BullMQ remembers it, queued again when it was lost; a
 * second deferral has a new due time and so a new job. An exchange no longer waiting (answered,
 * delivered, failed, expired) leaves the book.
 */
export function startRefetchSweep(opts: RefetchSweepOptions): { stop(): void; runOnce(): Promise<number> } {
  const now = opts.now ?? (() => new Date());
  const runOnce = async (): Promise<number> => {
    let queued = 0;
    for (const { ref, atMs } of await opts.deferrals.due(now().getTime(), opts.limit ?? 200)) {
      const state = await opts.store.getState(ref);
      if (state !== 'received' && state !== 'processing') {
        await opts.deferrals.clear(ref);
        continue;
      }
      await opts.queues.enqueueProcess(ref, `refetch-${atMs}`);
      queued++;
    }
    if (queued > 0) opts.logger.info({ count: queued }, 'refetch sweep queued deferred exchanges');
    return queued;
  };
  const timer = startPeriodic(opts.intervalMs, runOnce, (error: unknown) =>
    opts.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'refetch sweep failed'),
  );
  return { stop: () => timer.stop(), runOnce };
}
