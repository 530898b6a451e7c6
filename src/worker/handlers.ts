/**
 * The queue handlers: glue between the durable exchange store, the exchange use case and the
 * outbound connector. They hold no business rules; what they guarantee is ordering:
 * - process: the answer is stored and the exchange marked answered in one atomic step (the first
 *   answer wins), then submitted from this same job; what the connector does not take goes to the
 *   deliver queue. A crash anywhere re-runs into the same single stored answer;
 * - deliver: the same stored message (same AS4 MessageId) is resubmitted until the connector
 *   accepts it, then the exchange is marked delivered and its contents purged. A crash between
 *   acceptance and marking resubmits the same MessageId, which eDelivery's duplicate detection
 *   (and the REST connector's Idempotency-Key) absorbs;
 * - rescue: a process job that failed for good without storing an answer gets EDM:ERR:0008.
 */
import {
  answerRequest,
  answerWithError,
  answerWithProcessingError,
  NoAnswerYet,
  type ExchangeDeps,
  type ExchangeResult,
} from '../exchange/answer.js';
import { answerDeadlineOf, deliveryDeadlinePassed, type DeadlineDeps } from './deadlines.js';
import { startPeriodic } from '../infra/periodic.js';
import { forgetRequest, requestClaimer } from './resend.js';
import type { ExchangeSummary, OutboundMessage, Submitter } from '../exchange/ports.js';
import type { SubmitFailure } from '../connector/port.js';
import type { JobContext, JobHandler } from '../queue/queues.js';
import type { AnswerSummary, ExchangeStore, InboundMessage } from '../store/exchange-store.js';
import type { Logger } from '../infra/logger.js';
import { exchangeDepsFor, withAnswerMessageId } from './answer-identity.js';
import { deferredUntilOf, keepDeferral } from './refetch.js';
import type { DeferralBook } from '../store/deferral-book.js';

/** Observers of finished exchanges (metrics, audit); they never change the outcome. */
export interface ExchangeObserver {
  /**
   * What this observer needs back when the answer is delivered or given up, possibly by another
   * process: stored with the answer (references and codes only, see AnswerSummary).
   */
  summarize?(event: { exchangeRef: string; inbound: InboundMessage; result: ExchangeResult }): AnswerSummary;
  onAnswered?(event: {
    exchangeRef: string;
    inbound: InboundMessage;
    result: ExchangeResult;
    durationMs: number;
  }): void | Promise<void>;
  /** A deferred notice (status Unavailable) was handed to the connector; the answer follows (./refetch.ts). */
  onDeferred?(event: { exchangeRef: string; inbound: InboundMessage; result: ExchangeResult }): void | Promise<void>;
  /** A request id seen before: the same request sent again, or the id reused (src/worker/resend.ts). */
  onRequestIdReuse?(event: {
    exchangeRef: string;
    kind: 'resend-waited' | 'resend-replayed' | 'other-content' | 'other-requester';
  }): void;
  /** An answer or delivery deadline passed (src/worker/deadlines.ts). */
  onDeadline?(event: { exchangeRef: string; kind: 'answer-late' | 'answer-at-deadline' | 'delivery' }): void;
  /** The connector took the answer; its summary is in the store (`loadAnswerSummary`), whoever saved it. */
  onDelivered?(event: { exchangeRef: string; lagMs: number; outbound: OutboundMessage }): void;
  onDeliveryFailed?(event: {
    exchangeRef: string;
    outbound: OutboundMessage | undefined;
    reason: string;
  }): void | Promise<void>;
}

export interface HandlerDeps extends DeadlineDeps {
  readonly store: ExchangeStore;
  readonly queues: {
    enqueueDelivery(ref: string): Promise<void>;
    isPaused?(name: 'deliver'): Promise<boolean>;
    enqueueProcess?(ref: string, round?: string): Promise<void>;
  };
  readonly exchange: ExchangeDeps;
  /** Deferred answers (./refetch.ts); without it a deferral is answered EDM:ERR:0005. */
  readonly deferrals?: DeferralBook;
  /** The connector's answer side; `classifyFailure` tells a pending submission from a failed one. */
  readonly submitter: Submitter & { classifyFailure?(error: unknown): SubmitFailure };
  readonly logger: Logger;
  readonly observer?: ExchangeObserver;
  /** Runs after an answer was delivered (the preview drops the documents it released). */
  readonly afterDelivered?: (exchangeRef: string) => Promise<void>;
  readonly now?: () => Date;
  /**
   * Submit the answer from the process job as soon as it is saved (default true); the deliver
   * queue then only carries retries (connector unavailable, paused deliveries, crashes). Saves a
   * whole job per exchange. False: every answer goes through the deliver queue.
   */
  readonly deliverInline?: boolean;
}

export function createProcessHandler(deps: HandlerDeps): JobHandler {
  return async (ref: string, ctx: JobContext) => {
    const begun = await deps.store.beginProcessing(ref);
    if (begun === undefined) {
      ctx.log.warn('exchange no longer stored (expired); nothing to process');
      return;
    }
    if (begun.state === 'answered') {
      // A crash after marking but before enqueueing delivery: finish the hand-over.
      await deps.queues.enqueueDelivery(ref);
      // That run may also have died before handing its answer to the request ledger: release
      // those waiting for it (a no-op when it did), so that none waits for an answer that never comes.
      const stored = await deps.store.loadInbound(ref);
      if (stored !== undefined)
        await forgetRequest(deps, ref, {
          exchangeRef: ref,
          userMessage: stored.userMessage,
          payloads: stored.payloads,
        });
      return;
    }
    if (begun.state !== 'received' && begun.state !== 'processing') return;
    const inbound = begun.inbound;
    if (inbound === undefined) {
      ctx.log.warn('exchange contents purged; nothing to process');
      return;
    }
    const input = { exchangeRef: ref, userMessage: inbound.userMessage, payloads: inbound.payloads };

    // The same QueryRequest sent again under another AS4 MessageId gets the first one's answer;
    // the claim is made before any base-registry call (src/worker/resend.ts).
    const claimer = requestClaimer(deps, ref, ctx.log);
    const deadline = answerDeadlineOf(inbound, deps);

    const started = Date.now();
    let result: ExchangeResult;
    try {
      result = await answerRequest(input, exchangeDepsFor(deps.exchange, ref), {
        final: ctx.final,
        ...(claimer === undefined ? {} : { claimRequest: claimer.claim }),
        ...(deadline === undefined ? {} : { deadline }),
        ...(deps.deferrals === undefined ? {} : { deferredUntil: deferredUntilOf(deps.deferrals, ref) }),
      });
    } catch (error) {
      if (error instanceof NoAnswerYet) {
        if (error.reason === 'parked') {
          // v2.0 request #2: processed again when the user decides or the deadline passes.
          ctx.log.info('waiting for the preview decision');
          // Under T2/T3 now, not the answer deadline (a retry before may have set one).
          await deps.deadlines?.remove(ref);
          return;
        }
        if (error.reason === 'waiting') {
          // Answered when the same request's exchange completes, or at the deadline at the latest.
          if (deadline !== undefined && error.underAnswerDeadline)
            await deps.deadlines?.add(ref, deadline.at.getTime());
          return;
        }
        ctx.log.info('nothing to send: another exchange answers this request');
        await deps.store.finishDelivered(ref);
        return;
      }
      if (!ctx.final) {
        ctx.log.warn({ err: errorForLog(error) }, 'processing failed; the job will be retried');
        // Should the retries outlast the answer deadline, the deadline sweep answers at it.
        if (deadline !== undefined) await deps.deadlines?.add(ref, deadline.at.getTime());
        throw error;
      }
      ctx.log.error({ err: errorForLog(error) }, 'processing failed on its last attempt; answering EDM:ERR:0008');
      result = answerWithProcessingError(
        input,
        exchangeDepsFor(deps.exchange, ref),
        `the request could not be processed (after ${ctx.attemptsMade + 1} attempts)`,
      );
    }
    if (result.deferredUntil !== undefined) {
      // The record is being prepared: the notice now, the answer from a refetch (./refetch.ts).
      if (deps.deferrals !== undefined) {
        const deferred = { ...result, deferredUntil: result.deferredUntil };
        await keepDeferral({ ...deps, deferrals: deps.deferrals }, ref, inbound, deferred, deadline, ctx);
        return;
      }
      result = answerWithError(
        input,
        exchangeDepsFor(deps.exchange, ref),
        'EDM:ERR:0005',
        'the base registry prepares the record later, and this worker keeps no deferred answers',
      );
    }
    // Every run on this exchange sends the same MessageId (src/worker/answer-identity.ts).
    result = { ...result, outbound: withAnswerMessageId(result.outbound, ref, deps.exchange.messageDomain) };
    const saved = await saveAnswer(deps, ref, inbound, result);
    if (saved === 'gone') {
      ctx.log.error('exchange expired while processing; the answer is lost');
      return;
    }
    if (saved === 'failed') {
      ctx.log.warn('the exchange was given up (delivery deadline) while processing; nothing is sent');
      await forgetRequest(deps, ref, input);
      return;
    }
    if (saved === 'delivered' || saved === 'answered') {
      // Another run of this job (one that lost its lock) or the rescue sweep stored an answer first.
      // That run may have died before handing it over: queue the delivery of the stored answer
      // (the deterministic job id collapses it with a delivery already queued).
      ctx.log.warn({ saved }, 'an answer was already stored for this exchange; this one is not sent');
      if (saved === 'answered') await deps.queues.enqueueDelivery(ref);
      // The run that stored first may have died before completing the request ledger.
      await forgetRequest(deps, ref, input);
      return;
    }
    ctx.log.info({ outcome: summaryForLog(result.summary) }, 'request answered');
    if (result.summary.edmCode === 'EDM:ERR:0005' && deadline !== undefined && !(deps.exchange.now() < deadline.at))
      deps.observer?.onDeadline?.({ exchangeRef: ref, kind: 'answer-late' });
    await claimer?.complete(result);
    await deps.observer?.onAnswered?.({ exchangeRef: ref, inbound, result, durationMs: Date.now() - started });
    if (deps.deliverInline === false || (await deps.queues.isPaused?.('deliver')) === true) {
      await deps.queues.enqueueDelivery(ref);
      return;
    }
    // The answer is stored and marked answered: from here a crash re-runs into a delivery of
    // this same stored message (beginProcessing sees `answered`), never into a second answer.
    try {
      await deps.submitter.submit(ref, result.outbound);
    } catch (error) {
      // The connector took it but has not confirmed yet: not a failure, the deliver job checks again.
      if (deps.submitter.classifyFailure?.(error) === 'pending')
        ctx.log.info('answer submitted, not acknowledged yet; the deliver queue checks again');
      else ctx.log.warn({ err: errorForLog(error) }, 'delivery failed; the deliver queue retries it');
      await deps.queues.enqueueDelivery(ref);
      return;
    }
    await finishDelivery(deps, ref, inbound.receivedAt, result.outbound, ctx);
  };
}

/**
 * Stores the answer, and with it the summary the observers read when it is delivered or given up
 * (src/ops/observer.ts). A failing summary never fails the exchange: the answer is stored without.
 */
export async function saveAnswer(
  deps: HandlerDeps,
  ref: string,
  inbound: InboundMessage,
  result: ExchangeResult,
): ReturnType<ExchangeStore['saveAnswer']> {
  let summary: AnswerSummary | undefined;
  try {
    summary = deps.observer?.summarize?.({ exchangeRef: ref, inbound, result });
  } catch (error) {
    deps.logger.warn(
      { exchangeRef: ref, err: errorForLog(error) },
      'answer summary failed; the answer is stored without',
    );
  }
  return deps.store.saveAnswer(ref, result.outbound, summary);
}

/** After the connector accepted an answer: mark delivered, drop the contents, tell the observers. */
async function finishDelivery(
  deps: HandlerDeps,
  ref: string,
  receivedAt: string,
  outbound: OutboundMessage,
  ctx: JobContext,
): Promise<void> {
  await deps.store.finishDelivered(ref);
  await deps
    .afterDelivered?.(ref)
    .catch((error: unknown) => ctx.log.warn({ err: errorForLog(error) }, 'after-delivery step failed'));
  const now = (deps.now ?? (() => new Date()))();
  const lagMs = now.getTime() - Date.parse(receivedAt);
  ctx.log.info({ lagMs }, 'answer delivered');
  deps.observer?.onDelivered?.({ exchangeRef: ref, lagMs, outbound });
}

export function createDeliverHandler(deps: HandlerDeps): JobHandler {
  return async (ref: string, ctx: JobContext) => {
    const record = await deps.store.openForDelivery(ref);
    if (record === undefined) {
      ctx.log.error('exchange expired before delivery');
      return;
    }
    if (record.state === 'delivered') return;
    if (record.state === 'failed') {
      // Given up past its delivery deadline (audited and alerted once): never sent afterwards.
      ctx.log.warn('exchange was given up; not delivered');
      return;
    }
    const outbound = record.outbound;
    if (outbound === undefined) {
      ctx.log.error('no stored answer to deliver');
      return;
    }
    const late = deliveryDeadlinePassed(record.receivedAt, deps);
    if (late !== undefined) {
      // Nothing is retried for ever: past the delivery deadline the exchange is given up.
      deps.observer?.onDeadline?.({ exchangeRef: ref, kind: 'delivery' });
      await onDeliveryGivenUp(deps, ref, new Error(late));
      return;
    }
    await deps.submitter.submit(ref, outbound);
    await finishDelivery(deps, ref, record.receivedAt, outbound, ctx);
  };
}

/** Error fields safe for logs: code and message (our messages carry no personal data), no request data. */
function errorForLog(error: unknown): Record<string, unknown> {
  return error instanceof Error
    ? { type: error.name, message: error.message, code: (error as { code?: unknown }).code }
    : { value: String(error) };
}

/** Outcome fields safe for logs: no personal data, no evidence. */
function summaryForLog(s: ExchangeSummary): Record<string, string | undefined> {
  return {
    outcome: s.outcome,
    edmCode: s.edmCode,
    mappingId: s.mappingId,
    mappingVersion: s.mappingVersion,
    ...(s.ruleWarnings === undefined ? {} : { ruleWarnings: s.ruleWarnings.join(' ') }),
    ...(s.systemCheck === true ? { systemCheck: 'procedure 00' } : {}),
    // Why no record was found (e.g. `ambiguous`): a code, never the request's attributes.
    ...(s.noRecord === undefined ? {} : { noRecord: s.noRecord }),
  };
}

/**
 * Re-enqueues exchanges that were stored but never queued (a crash between the two steps of
 * intake). Job ids are deterministic, so an exchange already queued is not queued twice.
 */
export function startRecoverySweep(opts: {
  store: Pick<ExchangeStore, 'listReceived'>;
  queues: { enqueueProcess(ref: string): Promise<void> };
  logger: Logger;
  intervalMs: number;
  olderThanMs: number;
}): { stop(): void } {
  const round = async (): Promise<void> => {
    const refs = await opts.store.listReceived(opts.olderThanMs, 200);
    for (const ref of refs) await opts.queues.enqueueProcess(ref);
    if (refs.length > 0) opts.logger.info({ count: refs.length }, 'recovery sweep re-enqueued stored requests');
  };
  return startPeriodic(opts.intervalMs, round, (error: unknown) =>
    opts.logger.warn({ err: error }, 'recovery sweep failed'),
  );
}

/**
 * Answers with EDM:ERR:0008 the requests whose `process` job failed for good before an answer was
 * stored: the job stalled more often than allowed (its worker died or hung mid-job, again and
 * again: a request that kills workers must not loop forever), or its last attempt could not store
 * the answer (Redis unreachable then). Without this such an exchange would stay `processing`, in
 * silence. Runs on every worker process; the first stored answer wins, so two sweeps, or a sweep
 * and a late job run, never send two answers.
 */
export function startRescueSweep(opts: {
  deps: HandlerDeps;
  failedJobs: (limit: number) => Promise<{ exchangeRef: string; reason: string }[]>;
  intervalMs: number;
  /** Newest failed jobs looked at per round. Default 200. */
  limit?: number;
}): { stop(): void; runOnce(): Promise<number> } {
  const { deps } = opts;
  const runOnce = async (): Promise<number> => {
    let rescued = 0;
    for (const { exchangeRef, reason } of await opts.failedJobs(opts.limit ?? 200)) {
      // The request comes back only while the exchange is still `received` or `processing`.
      const inbound = (await deps.store.beginProcessing(exchangeRef))?.inbound;
      if (inbound === undefined) continue;
      const started = Date.now();
      const answered = answerWithProcessingError(
        { exchangeRef, userMessage: inbound.userMessage, payloads: inbound.payloads },
        exchangeDepsFor(deps.exchange, exchangeRef),
        'the request could not be processed (its processing was interrupted)',
      );
      const result = {
        ...answered,
        outbound: withAnswerMessageId(answered.outbound, exchangeRef, deps.exchange.messageDomain),
      };
      if ((await saveAnswer(deps, exchangeRef, inbound, result)) !== 'saved') continue;
      await deps.queues.enqueueDelivery(exchangeRef);
      await forgetRequest(deps, exchangeRef, {
        exchangeRef,
        userMessage: inbound.userMessage,
        payloads: inbound.payloads,
      });
      deps.logger.error(
        { exchangeRef, reason: reason.slice(0, 200) },
        'process job failed for good; answered EDM:ERR:0008',
      );
      await deps.observer?.onAnswered?.({ exchangeRef, inbound, result, durationMs: Date.now() - started });
      rescued++;
    }
    return rescued;
  };
  const timer = startPeriodic(opts.intervalMs, runOnce, (error: unknown) =>
    deps.logger.warn({ err: errorForLog(error) }, 'rescue sweep failed'),
  );
  return { stop: () => timer.stop(), runOnce };
}

/**
 * When a delivery is given up (the connector refused the message for good): the exchange is
 * marked `failed` and the audit trail says so. The answer stays stored until the exchange expires,
 * for ops to look at.
 */
export async function onDeliveryGivenUp(deps: HandlerDeps, exchangeRef: string, error: unknown): Promise<void> {
  await deps.store.markState(exchangeRef, 'failed');
  const outbound = await deps.store.loadOutbound(exchangeRef).catch(() => undefined);
  const reason = error instanceof Error ? error.message : String(error);
  deps.logger.error({ exchangeRef, err: errorForLog(error) }, 'delivery given up: the exchange is marked failed');
  await deps.observer?.onDeliveryFailed?.({ exchangeRef, outbound, reason });
}
