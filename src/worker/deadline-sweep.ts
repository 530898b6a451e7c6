/** The deadline sweep: the answer at the deadline for exchanges still unanswered (./deadlines.ts). */
import { answerWithError } from '../exchange/answer.js';
import { exchangeDepsFor, withAnswerMessageId } from './answer-identity.js';
import { answerDeadlineOf } from './deadlines.js';
import { saveAnswer, type HandlerDeps } from './handlers.js';
import { startPeriodic } from '../infra/periodic.js';
import { forgetRequest } from './resend.js';

/**
 * Answers EDM:ERR:0005 the exchanges whose answer deadline came while they were still
 * unanswered. The first stored answer wins (saveAnswer), so a job finishing at the same moment
 * and the sweep never send two answers.
 */
export function startDeadlineSweep(opts: {
  deps: HandlerDeps;
  intervalMs: number;
  /** Refs looked at per round. Default 200. */
  limit?: number;
}): { stop(): void; runOnce(): Promise<number> } {
  const { deps } = opts;
  const book = deps.deadlines;
  const now = (): Date => deps.exchange.now();
  const runOnce = async (): Promise<number> => {
    if (book === undefined) return 0;
    let answered = 0;
    for (const ref of await book.due(now().getTime(), opts.limit ?? 200)) {
      // The request comes back only while the exchange is still `received` or `processing`.
      const inbound = (await deps.store.beginProcessing(ref))?.inbound;
      if (inbound === undefined) {
        await book.remove(ref);
        continue;
      }
      const deadline = answerDeadlineOf(inbound, deps);
      const input = { exchangeRef: ref, userMessage: inbound.userMessage, payloads: inbound.payloads };
      const started = Date.now();
      const answer = answerWithError(
        input,
        exchangeDepsFor(deps.exchange, ref),
        'EDM:ERR:0005',
        `the evidence could not be produced before the answer deadline${deadline === undefined ? '' : ` (${deadline.basis})`}`,
      );
      // The exchange's own MessageId, as every other path sends (./answer-identity.ts).
      const result = {
        ...answer,
        outbound: withAnswerMessageId(answer.outbound, ref, deps.exchange.messageDomain),
      };
      const saved = await saveAnswer(deps, ref, inbound, result);
      await book.remove(ref);
      if (saved !== 'saved') continue;
      await deps.queues.enqueueDelivery(ref);
      deps.logger.warn({ exchangeRef: ref }, 'answer deadline reached without an answer; answered EDM:ERR:0005');
      deps.observer?.onDeadline?.({ exchangeRef: ref, kind: 'answer-at-deadline' });
      await deps.observer?.onAnswered?.({ exchangeRef: ref, inbound, result, durationMs: Date.now() - started });
      // Those waiting for this exchange's answer are processed on their own (a timeout is not reusable).
      await forgetRequest(deps, ref, input);
      answered++;
    }
    return answered;
  };
  const timer = startPeriodic(opts.intervalMs, runOnce, (error: unknown) =>
    deps.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'deadline sweep failed'),
  );
  return { stop: () => timer.stop(), runOnce };
}
