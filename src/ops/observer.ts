/**
 * Feeds finished exchanges to the metrics and the audit trail; failures here never fail an exchange.
 *
 * The answer may be delivered (or given up) by another worker process than the one that answered,
 * so nothing is remembered here between the two (DESIGN §7): `summarize` gives the worker the
 * answer's summary (references and codes, the subject only as the audit trail's keyed digest), the
 * exchange store keeps it with the answer and after its delivery, and `onDelivered` /
 * `onDeliveryFailed` read it back from there.
 */
import type { ExchangeResult } from '../exchange/answer.js';
import type { OutboundMessage } from '../exchange/ports.js';
import type { AnswerSummary, ExchangeStore, InboundMessage } from '../store/exchange-store.js';
import type { AuditInput, AuditTrail } from './audit.js';
import type { Logger } from '../infra/logger.js';
import type { Metrics } from './metrics.js';
import type { ExchangeObserver } from '../worker/handlers.js';

export interface ExchangeObserverDeps {
  readonly metrics: Metrics;
  readonly audit: AuditTrail;
  readonly logger: Logger;
  /** Where the answers' summaries are stored (src/store/exchange-store.ts). */
  readonly store: Pick<ExchangeStore, 'loadAnswerSummary'>;
}

export function createExchangeObserver(deps: ExchangeObserverDeps): ExchangeObserver {
  const summarize = (event: { inbound: InboundMessage; result: ExchangeResult }): AnswerSummary =>
    answerSummary(deps.audit, event.inbound, event.result);
  const record = async (exchangeRef: string, entry: AuditInput): Promise<void> => {
    try {
      await deps.audit.record({ ...entry, exchangeRef });
    } catch (error) {
      deps.logger.error({ err: error, exchangeRef }, 'audit record failed');
    }
  };
  return {
    summarize,
    async onAnswered({ exchangeRef, inbound, result, durationMs }) {
      deps.metrics.recordExchange(result.summary);
      deps.metrics.observeStep('build', durationMs / 1000);
      await record(exchangeRef, {
        ...auditFields(summarize({ inbound, result })),
        evidence: result.outbound.attachments,
      });
    },
    async onDeferred({ exchangeRef, inbound, result }) {
      // Its own event: the answer that follows is `answered` (one record per event and exchange).
      deps.metrics.recordExchange(result.summary);
      await record(exchangeRef, { ...auditFields(summarize({ inbound, result })), event: 'deferred' });
    },
    onDelivered({ exchangeRef, lagMs, outbound }) {
      deps.metrics.observeDeliveryLag(lagMs / 1000);
      void summaryOf(deps, exchangeRef, outbound).then(async (answer) => {
        if (answer !== undefined) await record(exchangeRef, { ...auditFields(answer), event: 'delivered' });
      });
    },
    async onDeliveryFailed({ exchangeRef, outbound, reason }) {
      const answer = await summaryOf(deps, exchangeRef, outbound);
      if (answer === undefined) return;
      await record(exchangeRef, {
        ...auditFields(answer),
        event: 'delivery-failed',
        summary: { ...answer.summary, detail: reason.slice(0, 300) },
      });
    },
  };
}

/** The summary stored with an answer (src/worker/handlers.ts `saveAnswer`). */
function answerSummary(
  audit: Pick<AuditTrail, 'subjectDigest'>,
  inbound: InboundMessage,
  result: ExchangeResult,
): AnswerSummary {
  const subject = result.parties.subjectIdentifier;
  return {
    conversationId: inbound.userMessage.conversationId,
    requestId: result.requestId,
    requester: result.parties.requester,
    subjectDigest: subject === undefined ? undefined : audit.subjectDigest(subject),
    summary: result.summary,
  };
}

function auditFields(answer: AnswerSummary): AuditInput {
  return {
    conversationId: answer.conversationId,
    requestId: answer.requestId,
    requester: answer.requester,
    subjectDigest: answer.subjectDigest,
    summary: answer.summary,
  };
}

/**
 * The stored summary; for an answer stored without one (by a version before summaries, or when
 * summarizing failed), what the message's envelope says: its conversation, its recipient and the
 * kind of answer (no EDM code: that is inside the document, which is not read here).
 */
async function summaryOf(
  deps: ExchangeObserverDeps,
  exchangeRef: string,
  outbound: OutboundMessage | undefined,
): Promise<AnswerSummary | undefined> {
  try {
    const stored = await deps.store.loadAnswerSummary(exchangeRef);
    if (stored !== undefined) return stored;
  } catch (error) {
    deps.logger.warn({ err: error, exchangeRef }, 'answer summary unreadable; the envelope is recorded');
  }
  return outbound === undefined ? undefined : envelopeSummary(outbound);
}

function envelopeSummary(outbound: OutboundMessage): AnswerSummary {
  const recipient = outbound.userMessage.properties.find((p) => p.name === 'finalRecipient');
  return {
    conversationId: outbound.userMessage.conversationId,
    requestId: undefined,
    requester: recipient === undefined ? undefined : `${recipient.type ?? ''}|${recipient.value}`,
    subjectDigest: undefined,
    summary: {
      outcome:
        outbound.userMessage.action === 'ExceptionResponse'
          ? 'error'
          : outbound.attachments.length > 0
            ? 'evidence'
            : 'empty',
      edmCode: undefined,
      evidenceType: undefined,
      mappingId: undefined,
      mappingVersion: undefined,
      detail: undefined,
    },
  };
}
