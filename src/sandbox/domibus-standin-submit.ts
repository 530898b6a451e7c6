/**
 * `submitMessage` of the Domibus stand-in: checks what Domibus checks (a PartInfo for every
 * payload, service/action of a PMode leg, the required originalSender/finalRecipient properties, a
 * unique MessageId), records the submission and answers with 5.2's `messageEntityID`.
 */
import type { Response } from 'express';
import { parseSubmitRequest, submitResponse, type WsMessage } from '../connector/domibus/messages.js';
import type { SoapDocument } from '../connector/domibus/soap.js';
import { EBRS_BINDING, messageProperty, QUERY_MANAGER } from '../ebms/model.js';
import { pluginFault, soap, unavailable, type StandinState } from './domibus-standin-state.js';

/** Actions of the oots-france PMode legs (service QueryManager). */
const PMODE_ACTIONS = ['ExecuteQueryRequest', 'ExecuteQueryResponse', 'ExceptionResponse'];

export function onSubmit(st: StandinState, doc: SoapDocument, raw: Buffer, res: Response): void {
  const k = st.knobs;
  if (k.failSubmits > 0) {
    k.failSubmits--;
    st.emit({ type: 'submit', messageId: '', accepted: false, reason: `fault knob (${k.failKind})` });
    if (k.failKind === 'http503') unavailable(res);
    else pluginFault(st, res, 'Message submission failed', 'WS_PLUGIN:0001', 'Generic error (fault knob)');
    return;
  }
  let message: WsMessage;
  try {
    message = parseSubmitRequest(doc);
  } catch (err) {
    refuse(st, res, 'WS_PLUGIN:0005', (err as Error).message);
    return;
  }
  const refusal = whyRefused(st, message);
  if (refusal !== undefined) {
    refuse(st, res, refusal[0], refusal[1]);
    return;
  }
  const um = message.userMessage;
  const failing = k.failSends > 0;
  if (failing) k.failSends--;
  st.subs.set(um.messageId, {
    messageId: um.messageId,
    message,
    submittedAt: new Date().toISOString(),
    envelope: raw.toString('utf8'),
    status: failing ? 'SEND_FAILURE' : 'WAITING_FOR_RECEIPT',
    pollsLeft: failing ? 0 : k.pendingPolls,
    errors: failing ? [...k.failSendErrors] : [],
  });
  st.emit({ type: 'submit', messageId: um.messageId, accepted: true });
  const answer = submitResponse(um.messageId, String(++st.entityIds));
  if (k.slowSubmits > 0) {
    // Accepted and recorded, answered late: the client may give up and retry (a lost answer).
    k.slowSubmits--;
    setTimeout(() => soap(st, res, 200, answer), k.slowSubmitMs).unref();
    return;
  }
  soap(st, res, 200, answer);
}

/** The plugin's error code and message for a submission Domibus would refuse; undefined = accepted. */
function whyRefused(st: StandinState, message: WsMessage): [string, string] | undefined {
  const um = message.userMessage;
  for (const p of message.payloads) {
    if (!um.payloads.some((q) => q.href === p.href))
      return ['WS_PLUGIN:0005', `No PartInfo for payload with payloadId [${p.href}]`];
  }
  if (um.service !== QUERY_MANAGER || um.serviceType !== EBRS_BINDING || !PMODE_ACTIONS.includes(um.action))
    return ['WS_PLUGIN:0003', `No matching leg found for service [${um.service}] action [${um.action}]`];
  for (const name of ['originalSender', 'finalRecipient']) {
    if ((messageProperty(um, name)?.value ?? '') === '')
      return ['WS_PLUGIN:0003', `Required property [${name}] is missing`];
  }
  if (st.subs.has(um.messageId))
    return ['WS_PLUGIN:0007', `Message with id [${um.messageId}] already exists. Message identifiers must be unique`];
  return undefined;
}

function refuse(st: StandinState, res: Response, code: string, message: string): void {
  st.emit({ type: 'submit', messageId: '', accepted: false, reason: `${code} ${message}` });
  pluginFault(st, res, 'Message submission failed', code, message);
}
