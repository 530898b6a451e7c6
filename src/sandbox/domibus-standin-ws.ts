/**
 * The WS plugin endpoint of the Domibus stand-in: `?wsdl` / `?xsd=` as CXF serves them, and the
 * SOAP operations (schema validation first, then one handler per operation; submitMessage is in
 * domibus-standin-submit.ts).
 */
import express, { type Express, type Request, type Response } from 'express';
import {
  getMessageErrorsResponse,
  getStatusResponse,
  listPendingMessagesResponse,
  markMessageAsDownloadedResponse,
  requestMessageId,
  retrieveMessageResponse,
} from '../connector/domibus/messages.js';
import { readSoap, WSPLUGIN_NS, type SoapDocument } from '../connector/domibus/soap.js';
import { messageProperty } from '../ebms/model.js';
import { attr, type XmlElement } from '../edm/xml/tree.js';
import { readWsPluginFile } from '../resources/domibus-schemas.js';
import { onSubmit } from './domibus-standin-submit.js';
import {
  fault,
  pluginFault,
  soap,
  STANDIN_WS_PATH,
  unavailable,
  type PendingEntry,
  type StandinState,
} from './domibus-standin-state.js';

/** Mounts GET (WSDL, schemas) and POST (SOAP operations) on the WS plugin path. */
export function mountWsPlugin(app: Express, st: StandinState): void {
  app.get(STANDIN_WS_PATH, (req: Request, res: Response) => serveWsdl(st, req, res));
  app.post(
    STANDIN_WS_PATH,
    express.raw({ type: () => true, limit: st.opts.maxBodyBytes ?? 128 * 1024 * 1024 }),
    (req: Request, res: Response) => onSoapRequest(st, req.body as Buffer, res),
  );
}

// The WSDL as CXF serves it: the service address and the schema locations point at this endpoint.
function serveWsdl(st: StandinState, req: Request, res: Response): void {
  const self = `${st.baseUrl}${STANDIN_WS_PATH}`;
  const name = 'wsdl' in req.query ? 'WebServicePlugin.wsdl' : typeof req.query.xsd === 'string' ? req.query.xsd : '';
  const text = readWsPluginFile(name);
  if (text === undefined) {
    res.status(404).type('text/plain').send('Not found');
    return;
  }
  res
    .type('text/xml')
    .send(
      text
        .replace(/(<soap12:address location=")[^"]*"/, `$1${self}"`)
        .replace(/schemaLocation="([\w.-]+\.xsd)"/g, `schemaLocation="${self}?xsd=$1"`),
    );
}

function onSoapRequest(st: StandinState, raw: Buffer, res: Response): void {
  let doc: SoapDocument;
  let problems: string[];
  try {
    doc = readSoap(raw);
    problems = st.validator.validate(raw, 'plugin');
  } catch (err) {
    fault(st, res, { code: 'Sender', reason: `Unreadable SOAP request: ${(err as Error).message}` });
    return;
  }
  const el = doc.payload;
  if (problems.length > 0) {
    // What CXF answers when schema validation is on: nothing of the request is acted on.
    const operation = el === undefined ? '' : el.local;
    st.invalid.push({ operation, problems });
    st.emit({ type: 'invalid', operation, problems });
    fault(st, res, { code: 'Sender', reason: `Unmarshalling Error: ${problems.join(' ')}`.slice(0, 2000) });
    return;
  }
  if (el === undefined || el.ns !== WSPLUGIN_NS) {
    fault(st, res, {
      code: 'Sender',
      reason: `Unexpected wrapper element ${el === undefined ? '(none)' : `{${el.ns}}${el.local}`} found.`,
    });
    return;
  }
  switch (el.local) {
    case 'submitRequest':
      onSubmit(st, doc, raw, res);
      return;
    case 'listPendingMessagesRequest':
      onList(st, el, res);
      return;
    case 'retrieveMessageRequest':
      onRetrieve(st, el, res);
      return;
    case 'markMessageAsDownloadedRequest':
      onMark(st, el, res);
      return;
    case 'statusRequest':
      onStatus(st, el, res);
      return;
    case 'getErrorsRequest': {
      const sub = st.subs.get(requestMessageId(el) ?? '');
      soap(st, res, 200, getMessageErrorsResponse(sub?.errors ?? []));
      return;
    }
    default:
      fault(st, res, { code: 'Sender', reason: `Unknown operation ${el.local}` });
  }
}

/**
 * Does a pending message pass every filter of a (schema-valid) `listPendingMessagesRequest`, as the
 * plugin applies them: each given filter must match; a message has no RefToMessageId here (it holds
 * requests), so that filter matches none; receivedFrom/receivedTo bound the reception time.
 */
function matchesPendingFilter(request: XmlElement, entry: PendingEntry): boolean {
  const um = entry.message.userMessage;
  const received = Date.parse(entry.receivedAt);
  const actual: Record<string, (want: string) => boolean> = {
    messageId: (w) => um.messageId === w,
    conversationId: (w) => um.conversationId === w,
    refToMessageId: () => false,
    fromPartyId: (w) => um.from.partyId === w,
    finalRecipient: (w) => messageProperty(um, 'finalRecipient')?.value === w,
    originalSender: (w) => messageProperty(um, 'originalSender')?.value === w,
    receivedFrom: (w) => received >= Date.parse(w),
    receivedTo: (w) => received <= Date.parse(w),
  };
  return request.children.every((c) => {
    const want = c.text.trim();
    return want === '' || (actual[c.local]?.(want) ?? true);
  });
}

function onList(st: StandinState, el: XmlElement, res: Response): void {
  const ids = [...st.inbox.entries()]
    .filter(([, entry]) => matchesPendingFilter(el, entry))
    .map(([id]) => id)
    .slice(0, 500);
  st.emit({ type: 'list', count: ids.length });
  soap(st, res, 200, listPendingMessagesResponse(ids));
}

/** The pending message a retrieve/mark request names, or the plugin's "not found" fault. */
function pendingOrFault(st: StandinState, el: XmlElement, res: Response): [string, PendingEntry] | undefined {
  const id = requestMessageId(el);
  const entry = id === undefined ? undefined : st.inbox.get(id);
  if (id === undefined || entry === undefined) {
    pluginFault(
      st,
      res,
      `Message not found, id [${id ?? ''}]`,
      'WS_PLUGIN:0009',
      `No message with id [${id ?? ''}] pending for download`,
    );
    return undefined;
  }
  return [id, entry];
}

function onRetrieve(st: StandinState, el: XmlElement, res: Response): void {
  if (st.knobs.failRetrieves > 0) {
    st.knobs.failRetrieves--;
    unavailable(res);
    return;
  }
  const found = pendingOrFault(st, el, res);
  if (found === undefined) return;
  const [id, entry] = found;
  // Only the attribute counts (default true), as in the schema: a child element of that
  // name never gets here (it fails validation).
  const mark = (attr(el, 'markAsDownloaded') ?? 'true').trim().toLowerCase() !== 'false';
  // Domibus marks the message downloaded in the transaction that builds the answer: once the
  // answer is written, the message is no longer pending, whatever the client does next.
  if (mark) st.inbox.delete(id);
  res.on('finish', () => st.emit({ type: 'retrieve', messageId: id, removed: mark }));
  soap(st, res, 200, retrieveMessageResponse(entry.message));
}

function onMark(st: StandinState, el: XmlElement, res: Response): void {
  const found = pendingOrFault(st, el, res);
  if (found === undefined) return;
  const [id, entry] = found;
  st.inbox.delete(id);
  st.emit({ type: 'mark', messageId: id });
  soap(st, res, 200, markMessageAsDownloadedResponse(entry.message.userMessage));
}

function onStatus(st: StandinState, el: XmlElement, res: Response): void {
  const id = requestMessageId(el) ?? '';
  const sub = st.subs.get(id);
  let status = 'NOT_FOUND';
  if (sub !== undefined) {
    if (sub.pollsLeft > 0) sub.pollsLeft--;
    else if (sub.status === 'WAITING_FOR_RECEIPT') sub.status = 'ACKNOWLEDGED';
    status = sub.status;
  }
  st.emit({ type: 'status', messageId: id, status });
  soap(st, res, 200, getStatusResponse(status));
}
