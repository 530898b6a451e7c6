/**
 * The pending inbox of the Domibus stand-in and its push rule (BackendService.wsdl, namespace
 * `eu.domibus`): a `receiveSuccess` notification (RECEIVE_SUCCESS) or the full message as
 * `submitRequest` (SUBMIT_MESSAGE).
 */
import { basicAuthorization } from '../connector/domibus/auth.js';
import { pushedMessageRequest, receiveSuccessNotification, type WsMessage } from '../connector/domibus/messages.js';
import { readSoap, SOAP12_CONTENT_TYPE } from '../connector/domibus/soap.js';
import type { StandinState } from './domibus-standin-state.js';

/** Puts a message in the pending inbox and pushes it when a push rule is configured. */
export async function deliver(st: StandinState, message: WsMessage): Promise<void> {
  st.inbox.set(message.userMessage.messageId, { message, receivedAt: new Date().toISOString() });
  await push(st, message);
}

/** One push of the rule (BackendService.wsdl): success is a 2xx answer without a SOAP fault. */
async function push(st: StandinState, message: WsMessage): Promise<void> {
  const opts = st.opts;
  if (opts.pushUrl === undefined) return;
  const messageId = message.userMessage.messageId;
  const kind = opts.pushType ?? 'receiveSuccess';
  const headers: Record<string, string> = { 'content-type': SOAP12_CONTENT_TYPE };
  if (opts.pushUser !== undefined && opts.pushPassword !== undefined) {
    headers.authorization = basicAuthorization(opts.pushUser, opts.pushPassword);
  }
  const body = kind === 'submitRequest' ? pushedMessageRequest(message) : receiveSuccessNotification(messageId);
  // What it pushes is held to BackendService.xsd like its answers to the plugin's schemas.
  st.invalidAnswers.push(...st.validator.validate(body, 'push').map((p) => `push ${kind}: ${p}`));
  try {
    const r = await fetch(opts.pushUrl, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await r.text();
    let ok = r.status >= 200 && r.status < 300;
    if (ok) {
      try {
        const answer = readSoap(text);
        // Both outputs (receiveSuccessResponse, submitRequestResponse) have no part: an empty body.
        ok = answer.fault === undefined && answer.body.children.length === 0;
      } catch {
        ok = false;
      }
    }
    if (ok && opts.pushMarkAsDownloaded === true) st.inbox.delete(messageId);
    st.emit({ type: 'push', messageId, kind, httpStatus: r.status, ok });
  } catch {
    st.emit({ type: 'push', messageId, kind, httpStatus: 'error', ok: false });
  }
}
