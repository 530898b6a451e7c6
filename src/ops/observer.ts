/** Feeds finished exchanges to the metrics and the audit trail; failures here never fail an exchange. */
import type { ExchangeSummary, OutboundMessage } from '../exchange/ports.js';
import type { AuditTrail } from './audit.js';
import type { Logger } from '../infra/logger.js';
import type { Metrics } from './metrics.js';
import type { ExchangeObserver } from '../worker/handlers.js';

export function createExchangeObserver(deps: {
  metrics: Metrics;
  audit: AuditTrail;
  logger: Logger;
}): ExchangeObserver {
  const conversations = new Map<
    string,
    {
      conversationId: string;
      requestId: string | undefined;
      requester: string | undefined;
      subjectIdentifier: string | undefined;
      summary: ExchangeSummary;
    }
  >();
  return {
    async onAnswered({ exchangeRef, inbound, result, durationMs }) {
      deps.metrics.recordExchange(result.summary);
      deps.metrics.observeStep('build', durationMs / 1000);
      const ids = {
        conversationId: inbound.userMessage.conversationId,
        requestId: result.requestId,
        requester: result.parties.requester,
        subjectIdentifier: result.parties.subjectIdentifier,
        summary: result.summary,
      };
      // Remembered briefly so the delivery record (often in the same process) names the same exchange.
      conversations.set(exchangeRef, ids);
      if (conversations.size > 10_000) conversations.delete(conversations.keys().next().value!);
      try {
        await deps.audit.record({ ...ids, exchangeRef, evidence: result.outbound.attachments });
      } catch (error) {
        deps.logger.error({ err: error, exchangeRef }, 'audit record failed');
      }
    },
    onDelivered({ exchangeRef, lagMs, outbound }) {
      deps.metrics.observeDeliveryLag(lagMs / 1000);
      // Answered in another process: what the delivered message itself says is enough.
      const ids = conversations.get(exchangeRef) ?? fromOutbound(outbound);
      conversations.delete(exchangeRef);
      deps.audit
        .record({
          ...ids,
          exchangeRef,
          event: 'delivered',
        })
        .catch((error: unknown) => deps.logger.error({ err: error, exchangeRef }, 'audit record failed'));
    },
    async onDeliveryFailed({ exchangeRef, outbound, reason }) {
      const ids = conversations.get(exchangeRef) ?? (outbound === undefined ? undefined : fromOutbound(outbound));
      conversations.delete(exchangeRef);
      if (ids === undefined) return;
      try {
        await deps.audit.record({
          ...ids,
          exchangeRef,
          event: 'delivery-failed',
          summary: { ...ids.summary, detail: reason.slice(0, 300) },
        });
      } catch (error) {
        deps.logger.error({ err: error, exchangeRef }, 'audit record failed');
      }
    },
  };
}

function fromOutbound(outbound: OutboundMessage): {
  conversationId: string;
  requestId: string | undefined;
  requester: string | undefined;
  subjectIdentifier: undefined;
  summary: ExchangeSummary;
} {
  const requestId = /\brequestId="([^"]+)"/.exec(outbound.regrep)?.[1];
  const code = /<rs:Exception\b[^>]*\bcode="(EDM:ERR:000[1-8])"/.exec(
    outbound.regrep,
  )?.[1] as ExchangeSummary['edmCode'];
  const recipient = outbound.userMessage.properties.find((p) => p.name === 'finalRecipient');
  const outcome: ExchangeSummary['outcome'] =
    outbound.userMessage.action === 'ExceptionResponse'
      ? code === 'EDM:ERR:0002'
        ? 'preview-required'
        : 'error'
      : outbound.attachments.length > 0
        ? 'evidence'
        : 'empty';
  return {
    conversationId: outbound.userMessage.conversationId,
    requestId,
    requester: recipient === undefined ? undefined : `${recipient.type ?? ''}|${recipient.value}`,
    subjectIdentifier: undefined,
    summary: {
      outcome,
      edmCode: code,
      evidenceType: undefined,
      mappingId: undefined,
      mappingVersion: undefined,
      detail: undefined,
    },
  };
}
