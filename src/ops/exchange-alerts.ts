/**
 * Counters and alerts for request ids seen again and for deadlines (no personal data in labels):
 * - `oots_request_id_reuse_total{kind}`: `resend-waited` / `resend-replayed` (the same request
 *   sent again under a new MessageId: it waited for, or got, the first one's answer; a re-send
 *   that arrives during processing counts once for each), `other-content` / `other-requester`
 *   (the id reused for another request, which is answered on its own);
 * - `oots_deadlines_total{kind}`: `answer-late` (a job answered EDM:ERR:0005 because the answer
 *   deadline had passed), `answer-at-deadline` (the sweep answered EDM:ERR:0005 at the deadline),
 *   `delivery` (a delivery given up at the delivery deadline: an alert, logged with
 *   `alert: "delivery-deadline"`; the exchange is `failed` in the audit trail).
 */
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../infra/logger.js';

export type ReuseKind = 'resend-waited' | 'resend-replayed' | 'other-content' | 'other-requester';
export type DeadlineKind = 'answer-late' | 'answer-at-deadline' | 'delivery';

export interface ExchangeAlerts {
  onRequestIdReuse(event: { exchangeRef: string; kind: ReuseKind }): void;
  onDeadline(event: { exchangeRef: string; kind: DeadlineKind }): void;
}

export function createExchangeAlerts(deps: { registry: Registry; logger: Logger }): ExchangeAlerts {
  const log = deps.logger.child({ component: 'exchange-alert' });
  const reuse = new Counter({
    name: 'oots_request_id_reuse_total',
    help: 'QueryRequest ids seen again: the same request re-sent (waited / replayed), or the id reused for another request',
    labelNames: ['kind'] as const,
    registers: [deps.registry],
  });
  const deadlines = new Counter({
    name: 'oots_deadlines_total',
    help: 'Answer deadlines that produced EDM:ERR:0005, and deliveries given up at the delivery deadline (alert on kind="delivery")',
    labelNames: ['kind'] as const,
    registers: [deps.registry],
  });
  return {
    onRequestIdReuse({ kind }) {
      reuse.inc({ kind });
    },
    onDeadline({ exchangeRef, kind }) {
      deadlines.inc({ kind });
      if (kind === 'delivery')
        log.error(
          { alert: 'delivery-deadline', exchangeRef },
          'an answer was not delivered before the delivery deadline: the exchange is marked failed; check the connector',
        );
    },
  };
}
