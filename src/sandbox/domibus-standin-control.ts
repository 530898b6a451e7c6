/**
 * Control routes of the Domibus stand-in (under /sandbox/domibus, same basic auth as the plugin):
 * put a message in the inbox, list what is pending and what was submitted, set the fault knobs.
 */
import express, { type Express, type Request, type Response } from 'express';
import { EnvelopeError, parseEnvelope } from '../connector/envelope.js';
import { deliver } from './domibus-standin-push.js';
import { STANDIN_CONTROL_PATH, type StandinFaults, type StandinState } from './domibus-standin-state.js';

export function mountControl(app: Express, st: StandinState, faults: StandinFaults): void {
  app.post(`${STANDIN_CONTROL_PATH}/inbox`, express.json({ limit: '64mb' }), async (req: Request, res: Response) => {
    try {
      const parsed = parseEnvelope(req.body);
      await deliver(st, { userMessage: parsed.userMessage, payloads: parsed.payloads });
      res.status(202).json({ status: 'pending', messageId: parsed.userMessage.messageId });
    } catch (err) {
      if (err instanceof EnvelopeError) {
        res.status(400).json({ error: err.message });
        return;
      }
      throw err;
    }
  });
  app.get(`${STANDIN_CONTROL_PATH}/pending`, (_req, res) => {
    res.json({ pending: [...st.inbox.keys()] });
  });
  app.get(`${STANDIN_CONTROL_PATH}/submissions`, (_req, res) => {
    res.json({
      submissions: [...st.subs.values()].map((s) => ({
        messageId: s.messageId,
        action: s.message.userMessage.action,
        conversationId: s.message.userMessage.conversationId,
        submittedAt: s.submittedAt,
        status: s.status,
        payloads: s.message.payloads.map((p) => ({ href: p.href, mimeType: p.mimeType, bytes: p.bytes.byteLength })),
      })),
    });
  });
  app.post(`${STANDIN_CONTROL_PATH}/faults`, express.json(), (req: Request, res: Response) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    if (typeof b.failNextSubmits === 'number')
      faults.failNextSubmits(b.failNextSubmits, b.kind === 'http503' ? 'http503' : 'fault');
    if (typeof b.latencyMs === 'number') faults.setLatency(b.latencyMs);
    if (typeof b.slowNextSubmits === 'number') faults.slowNextSubmits(b.slowNextSubmits, Number(b.slowMs ?? 0));
    if (typeof b.failNextRetrieves === 'number') faults.failNextRetrieves(b.failNextRetrieves);
    if (typeof b.failNextSends === 'number') faults.failNextSends(b.failNextSends);
    if (typeof b.ackAfterPolls === 'number') faults.ackAfterPolls(b.ackAfterPolls);
    const k = st.knobs;
    res.json({
      failNextSubmits: k.failSubmits,
      kind: k.failKind,
      latencyMs: k.latencyMs,
      failNextSends: k.failSends,
      ackAfterPolls: k.pendingPolls,
    });
  });
}
