/**
 * The WS plugin operations (Domibus 5 `webservicePlugin.wsdl`, namespace
 * `http://eu.domibus.wsplugin/`): request builders, response readers, and the answers the
 * stand-in writes. Pure functions over strings and our XML tree.
 *
 *   operation             request body element             response body element
 *   submitMessage         submitRequest (+ eb:Messaging)   submitResponse/messageID
 *   listPendingMessages   listPendingMessagesRequest        listPendingMessagesResponse/messageID*
 *   retrieveMessage       retrieveMessageRequest            retrieveMessageResponse/payload* (+ eb:Messaging)
 *   markMessageAsDownloaded  markMessageAsDownloadedRequest markMessageAsDownloadedResponse (5.1+)
 *   getStatus             statusRequest/messageID           getStatusResponse (text: the status)
 *   getMessageErrors      getErrorsRequest/messageID        getMessageErrorsResponse/item*
 *
 * Children of the plugin elements are unqualified (the plugin schema's elementFormDefault), as in
 * the oots-france sample envelopes. The samples' `<bodyload><value>cid:bodyload</value></bodyload>`
 * is a placeholder (not base64, matching no PartInfo); bodyload is optional and we leave it out.
 */
import { buildMessagingHeader } from '../../ebms/build-header.js';
import { EBMS_NS, EBRS_MIME_TYPE, type PayloadPart, type UserMessage } from '../../ebms/model.js';
import { findMessaging, parseUserMessage } from '../../ebms/parse-header.js';
import { attr, type XmlElement } from '../../edm/xml/tree.js';
import type { OutboundMessage } from '../../exchange/ports.js';
import { decodeBase64Strict } from '../envelope.js';
import {
  escapeAttr,
  leaf,
  pluginElement,
  soapEnvelope,
  SoapProtocolError,
  valueText,
  WSPLUGIN_NS,
  type SoapDocument,
} from './soap.js';

/** A payload part as the plugin carries it: `payload/@payloadId` = the PartInfo href. */
export interface WsPayload {
  readonly href: string;
  readonly mimeType: string;
  readonly bytes: Uint8Array;
}

export interface WsMessage {
  readonly userMessage: UserMessage;
  readonly payloads: readonly WsPayload[];
}

// ---------------------------------------------------------------------------------------------
// Requests (adapter → plugin)

/** A `payload` element; BackendService.xsd (pushes) also has the `mimeType` attribute, the plugin's schema not. */
function payloadXml(p: WsPayload, withMimeType = false): string {
  const b64 = Buffer.from(p.bytes.buffer, p.bytes.byteOffset, p.bytes.byteLength).toString('base64');
  const mime = withMimeType ? ` mimeType="${escapeAttr(p.mimeType)}"` : '';
  return (
    `      <payload payloadId="${escapeAttr(p.href)}" contentType="${escapeAttr(p.mimeType)}"${mime}>\n` +
    `        <value>${b64}</value>\n      </payload>\n`
  );
}

/**
 * `submitRequest`: the ebMS header in the SOAP header, one `payload` per part. The header's
 * PayloadInfo is aligned on the payloads (same cids, same order, MimeType set) so that every
 * PartInfo finds its payload, which is what the plugin checks.
 */
export function submitRequest(message: WsMessage): string {
  const parts: PayloadPart[] = message.payloads.map((p) => {
    const known = message.userMessage.payloads.find((q) => q.href === p.href);
    if (known !== undefined && known.mimeType === p.mimeType) return known;
    return {
      href: p.href,
      mimeType: p.mimeType,
      properties: [
        { name: 'MimeType', value: p.mimeType },
        ...(known?.properties.filter((q) => q.name !== 'MimeType') ?? []),
      ],
    };
  });
  const header = buildMessagingHeader({ ...message.userMessage, payloads: parts });
  return soapEnvelope(pluginElement('submitRequest', message.payloads.map((p) => payloadXml(p)).join('')), header);
}

/** The plugin parts of an outbound answer: the RegRep part first, then one per attachment. */
export function outboundParts(outbound: OutboundMessage): WsMessage {
  const um = outbound.userMessage;
  const regrepHref =
    um.payloads.find((p) => p.mimeType === EBRS_MIME_TYPE)?.href ??
    um.payloads[0]?.href ??
    `cid:regrep@${um.messageId.split('@')[1] ?? 'oots.local'}`;
  return {
    userMessage: um,
    payloads: [
      { href: regrepHref, mimeType: EBRS_MIME_TYPE, bytes: Buffer.from(outbound.regrep, 'utf8') },
      ...outbound.attachments.map((a) => ({ href: a.href, mimeType: a.mimeType, bytes: a.bytes })),
    ],
  };
}

/** Filters of `listPendingMessagesRequest` (Domibus 5), in schema order; all optional. */
export interface PendingFilter {
  readonly messageId?: string;
  readonly conversationId?: string;
  readonly refToMessageId?: string;
  readonly fromPartyId?: string;
  readonly finalRecipient?: string;
  readonly originalSender?: string;
  /** xsd:dateTime lower bound of reception. */
  readonly receivedFrom?: string;
  readonly receivedTo?: string;
}
const FILTER_ORDER: readonly (keyof PendingFilter)[] = [
  'messageId',
  'conversationId',
  'refToMessageId',
  'fromPartyId',
  'finalRecipient',
  'originalSender',
  'receivedFrom',
  'receivedTo',
];

export function listPendingMessagesRequest(filter: PendingFilter = {}): string {
  const inner = FILTER_ORDER.map((k) => (filter[k] === undefined || filter[k] === '' ? '' : leaf(k, filter[k]))).join(
    '',
  );
  return soapEnvelope(pluginElement('listPendingMessagesRequest', inner));
}

/**
 * `retrieveMessageRequest`. The schema has `markAsDownloaded` as an **attribute** (default
 * `true`), never as a child element: `markAsDownloaded: false` (Domibus 5.1+) leaves the message
 * pending until `markMessageAsDownloaded`; left out, Domibus marks it downloaded, and with the
 * PMode's `retention_downloaded="0"` deletes it. (A child element is refused by a validating
 * plugin and ignored by the others, which then apply the destructive default.)
 */
export function retrieveMessageRequest(messageId: string, opts: { markAsDownloaded?: boolean } = {}): string {
  const markAsDownloaded = opts.markAsDownloaded === undefined ? undefined : String(opts.markAsDownloaded);
  return soapEnvelope(pluginElement('retrieveMessageRequest', leaf('messageID', messageId), { markAsDownloaded }));
}

export function markMessageAsDownloadedRequest(messageId: string): string {
  return soapEnvelope(pluginElement('markMessageAsDownloadedRequest', leaf('messageID', messageId)));
}

/** getStatus: the WSDL names its input element `statusRequest`. */
export function getStatusRequest(messageId: string): string {
  return soapEnvelope(pluginElement('statusRequest', leaf('messageID', messageId)));
}

/** getMessageErrors: the WSDL names its input element `getErrorsRequest`. */
export function getMessageErrorsRequest(messageId: string): string {
  return soapEnvelope(pluginElement('getErrorsRequest', leaf('messageID', messageId)));
}

// ---------------------------------------------------------------------------------------------
// Responses (plugin → adapter)

/** The body element, checked by namespace and local name. */
export function expectBody(doc: SoapDocument, local: string): XmlElement {
  const el = doc.payload;
  if (el === undefined || el.ns !== WSPLUGIN_NS || el.local !== local) {
    const got = el === undefined ? 'an empty body' : `{${el.ns}}${el.local}`;
    throw new SoapProtocolError(`expected {${WSPLUGIN_NS}}${local}, got ${got}`);
  }
  return el;
}

function texts(el: XmlElement, local: string): string[] {
  return el.children
    .filter((c) => c.local === local)
    .map((c) => c.text.trim())
    .filter((t) => t !== '');
}

/** The messageID(s) Domibus assigned (it keeps the eb:MessageId the backend supplied). */
export function parseSubmitResponse(doc: SoapDocument): string[] {
  return texts(expectBody(doc, 'submitResponse'), 'messageID');
}

export function parseListPendingResponse(doc: SoapDocument): string[] {
  return texts(expectBody(doc, 'listPendingMessagesResponse'), 'messageID');
}

/** The payloads of a `retrieveMessageResponse` or a pushed `submitRequest`, paired with the header's parts. */
function readPayloads(doc: SoapDocument, container: XmlElement, userMessage: UserMessage): WsPayload[] {
  const out: WsPayload[] = [];
  for (const p of container.children.filter((c) => c.local === 'payload')) {
    const href = attr(p, 'payloadId');
    if (href === undefined || href === '') throw new SoapProtocolError('payload without payloadId');
    const valueEl = p.children.find((c) => c.local === 'value');
    const b64 = valueEl === undefined ? '' : valueText(doc, valueEl).replace(/\s+/g, '');
    const bytes = decodeBase64Strict(b64);
    if (bytes === undefined) throw new SoapProtocolError(`payload ${href} is not base64`);
    const part = userMessage.payloads.find((q) => q.href === href);
    const mimeType = part?.mimeType ?? attr(p, 'contentType') ?? 'application/octet-stream';
    out.push({ href, mimeType, bytes });
  }
  for (const part of userMessage.payloads) {
    if (!out.some((p) => p.href === part.href)) {
      throw new SoapProtocolError(`no payload for PartInfo ${part.href}`);
    }
  }
  return out;
}

function headerMessage(doc: SoapDocument): UserMessage {
  const messaging = doc.header === undefined ? undefined : findMessaging(doc.header);
  if (messaging === undefined) throw new SoapProtocolError('no eb:Messaging in the SOAP header');
  return parseUserMessage(messaging);
}

/**
 * A retrieved message: the ebMS header (from the SOAP header) and its payloads. Throws
 * AdapterError ERR_EDM_INVALID when the header lacks a mandatory part, SoapProtocolError when the
 * payloads do not match the header.
 */
export function parseRetrieveResponse(doc: SoapDocument): WsMessage {
  const body = expectBody(doc, 'retrieveMessageResponse');
  const userMessage = headerMessage(doc);
  return { userMessage, payloads: readPayloads(doc, body, userMessage) };
}

/** A `submitRequest` as the stand-in (or a push of a full message) receives it. */
export function parseSubmitRequest(doc: SoapDocument): WsMessage {
  const body = expectBody(doc, 'submitRequest');
  const userMessage = headerMessage(doc);
  return { userMessage, payloads: readPayloads(doc, body, userMessage) };
}

/** Domibus message statuses (eu.domibus.common.MessageStatus). */
export type DomibusStatus =
  | 'READY_TO_SEND'
  | 'READY_TO_PULL'
  | 'BEING_PULLED'
  | 'SEND_ENQUEUED'
  | 'SEND_IN_PROGRESS'
  | 'WAITING_FOR_RECEIPT'
  | 'ACKNOWLEDGED'
  | 'ACKNOWLEDGED_WITH_WARNING'
  | 'SEND_ATTEMPT_FAILED'
  | 'SEND_FAILURE'
  | 'NOT_FOUND'
  | 'WAITING_FOR_RETRY'
  | 'RECEIVED'
  | 'RECEIVED_WITH_WARNINGS'
  | 'DELETED'
  | 'DOWNLOADED';

export type StatusClass = 'sent' | 'failed' | 'pending' | 'not-found' | 'gone';

/**
 * What a status means for a submission: `sent` = the receiving access point acknowledged; `failed`
 * = Domibus gave up (its PMode retries spent or a non-retryable ebMS error); `pending` = still
 * being sent; `gone` = the message was deleted by retention (after its outcome was recorded);
 * `not-found` = Domibus does not know the id.
 */
export function classifyStatus(status: string): StatusClass {
  switch (status) {
    case 'ACKNOWLEDGED':
    case 'ACKNOWLEDGED_WITH_WARNING':
      return 'sent';
    case 'SEND_FAILURE':
      return 'failed';
    case 'NOT_FOUND':
      return 'not-found';
    case 'DELETED':
    case 'DOWNLOADED':
    case 'RECEIVED':
    case 'RECEIVED_WITH_WARNINGS':
      return 'gone';
    default:
      return 'pending';
  }
}

export function parseStatusResponse(doc: SoapDocument): string {
  const status = expectBody(doc, 'getStatusResponse').text.trim();
  if (!/^[A-Z_]+$/.test(status)) throw new SoapProtocolError(`unreadable status "${status.slice(0, 40)}"`);
  return status;
}

export interface MessageErrorItem {
  /** `domibusErrorCode` (5.x), else `errorCode` (e.g. `EBMS:0005`, `EBMS_0005`). */
  readonly code: string;
  readonly detail: string;
  /** SENDING or RECEIVING: the side that recorded the error. */
  readonly mshRole: string | undefined;
  readonly timestamp: string | undefined;
}

export function parseMessageErrorsResponse(doc: SoapDocument): MessageErrorItem[] {
  const body = expectBody(doc, 'getMessageErrorsResponse');
  return body.children
    .filter((c) => c.local === 'item')
    .map((item) => {
      const t = (name: string): string | undefined => {
        const v = item.children.find((c) => c.local === name)?.text.trim();
        return v === undefined || v === '' ? undefined : v;
      };
      return {
        code: t('domibusErrorCode') ?? t('errorCode') ?? 'unknown',
        detail: t('errorDetail') ?? '',
        mshRole: t('mshRole'),
        timestamp: t('timestamp'),
      };
    });
}

/**
 * The text surfaced for a failed submission: the errors the correspondent signalled
 * (RECEIVING) come first, as the gateway's own EBMS_0005 only says that dispatching failed.
 */
export function describeErrors(items: readonly MessageErrorItem[]): string {
  if (items.length === 0) return 'no error recorded';
  const ranked = [...items].sort((a, b) => rank(a) - rank(b) || (b.timestamp ?? '').localeCompare(a.timestamp ?? ''));
  return ranked
    .map((e) => `${e.code}${e.detail === '' ? '' : ` ${e.detail}`}`)
    .join('; ')
    .slice(0, 1000);
}
const rank = (e: MessageErrorItem): number => (e.mshRole === 'RECEIVING' ? 0 : 1);

// ---------------------------------------------------------------------------------------------
// Pushes (plugin → adapter), as BackendService.wsdl defines them: namespace `eu.domibus`,
// children unqualified (BackendService.xsd has no elementFormDefault).

/** Namespace of the push API (BackendService.wsdl / BackendService.xsd). */
export const BACKEND_NS = 'eu.domibus';

/** The notifications BackendService.wsdl defines, each answered with an empty body. */
export const PUSH_NOTIFICATIONS: readonly string[] = [
  'receiveSuccess',
  'receiveFailure',
  'sendSuccess',
  'sendFailure',
  'messageStatusChange',
  'delete',
  'deleteBatch',
];

export interface PushNotification {
  /** Local name of the body element, e.g. `receiveSuccess`, `sendFailure`. */
  readonly kind: string;
  readonly messageId: string | undefined;
}

/**
 * Reads a push notification of BackendService.wsdl (`{eu.domibus}receiveSuccess`, ...). Anything
 * else (another namespace, an element the WSDL does not define) is a SoapProtocolError: a push we
 * do not understand is refused, never acknowledged and dropped.
 */
export function parseNotification(doc: SoapDocument): PushNotification {
  const el = doc.payload;
  if (el === undefined) throw new SoapProtocolError('empty SOAP body');
  if (el.ns !== BACKEND_NS || !PUSH_NOTIFICATIONS.includes(el.local)) {
    throw new SoapProtocolError(`unknown push {${el.ns}}${el.local}: not a BackendService.wsdl operation`);
  }
  const id = el.children.find((c) => c.ns === '' && c.local === 'messageID')?.text.trim();
  return { kind: el.local, messageId: id === undefined || id === '' ? undefined : id };
}

/** Is this body a full-message push (`{eu.domibus}submitRequest`, push rule SUBMIT_MESSAGE)? */
export function isPushedMessage(doc: SoapDocument): boolean {
  return doc.payload?.ns === BACKEND_NS && doc.payload.local === 'submitRequest';
}

/**
 * The `{eu.domibus}Messaging` header of a full-message push, with its unqualified children, read
 * as the ebMS header it mirrors (same element names, BackendService.xsd's copy of the plugin's
 * header schema).
 */
function rebindToEbms(el: XmlElement, parent: XmlElement | undefined): XmlElement {
  const out = {
    ...el,
    ns: el.ns === '' || el.ns === BACKEND_NS ? EBMS_NS : el.ns,
    parent,
    children: [] as XmlElement[],
  };
  out.children = el.children.map((c) => rebindToEbms(c, out));
  return out;
}

/** A full-message push: `{eu.domibus}submitRequest` with its `{eu.domibus}Messaging` header. */
export function parsePushedMessage(doc: SoapDocument): WsMessage {
  const body = doc.payload;
  if (body === undefined || body.ns !== BACKEND_NS || body.local !== 'submitRequest') {
    throw new SoapProtocolError(`expected {${BACKEND_NS}}submitRequest`);
  }
  const messaging = doc.header?.children.find((c) => c.ns === BACKEND_NS && c.local === 'Messaging');
  if (messaging === undefined) throw new SoapProtocolError(`no {${BACKEND_NS}}Messaging in the SOAP header`);
  const userMessage = parseUserMessage(rebindToEbms(messaging, undefined));
  return { userMessage, payloads: readPayloads(doc, body, userMessage) };
}

/** The `{eu.domibus}Messaging` header of a push: the ebMS header, namespace swapped, children unqualified. */
function backendMessagingHeader(um: UserMessage): string {
  return buildMessagingHeader(um)
    .replace(`<eb:Messaging xmlns:eb="${EBMS_NS}">`, `<ns:Messaging xmlns:ns="${BACKEND_NS}">`)
    .replace('</eb:Messaging>', '</ns:Messaging>')
    .replace(/<(\/?)eb:/g, '<$1');
}

/** A push of the full message as the plugin sends it (push rule SUBMIT_MESSAGE). */
export function pushedMessageRequest(message: WsMessage): string {
  const payloads = message.payloads.map((p) => payloadXml(p, true)).join('');
  return soapEnvelope(
    `    <ns:submitRequest xmlns:ns="${BACKEND_NS}">\n${payloads}    </ns:submitRequest>\n`,
    backendMessagingHeader(message.userMessage),
  );
}

/** A push notification as the plugin sends it, e.g. `receiveSuccess`. */
export function pushNotification(kind: string, messageId: string, extra = ''): string {
  return soapEnvelope(
    `    <ns:${kind} xmlns:ns="${BACKEND_NS}">\n${leaf('messageID', messageId)}${extra}    </ns:${kind}>\n`,
  );
}

/** The `receiveSuccess` notification the push mode sends for a message that arrived. */
export function receiveSuccessNotification(messageId: string): string {
  return pushNotification('receiveSuccess', messageId);
}

// ---------------------------------------------------------------------------------------------
// Answers the plugin writes (used by the stand-in and the tests)

/**
 * `submitResponse`; Domibus 5.2 adds `messageEntityID` (its database key) after `messageID`, which
 * the 5.1.9 schema does not know: a 5.2 answer is read by the adapter either way.
 */
export function submitResponse(messageId: string, messageEntityId?: string): string {
  const entity = messageEntityId === undefined ? '' : leaf('messageEntityID', messageEntityId);
  return soapEnvelope(pluginElement('submitResponse', leaf('messageID', messageId) + entity));
}

export function listPendingMessagesResponse(ids: readonly string[]): string {
  return soapEnvelope(pluginElement('listPendingMessagesResponse', ids.map((id) => leaf('messageID', id)).join('')));
}

export function retrieveMessageResponse(message: WsMessage): string {
  const header = buildMessagingHeader(message.userMessage);
  return soapEnvelope(
    pluginElement('retrieveMessageResponse', message.payloads.map((p) => payloadXml(p)).join('')),
    header,
  );
}

/** Like retrieveMessageResponse, the WSDL's output carries the message's `eb:Messaging` header (part ebMSHeaderInfo). */
export function markMessageAsDownloadedResponse(userMessage: UserMessage): string {
  return soapEnvelope(
    pluginElement('markMessageAsDownloadedResponse', leaf('messageID', userMessage.messageId)),
    buildMessagingHeader(userMessage),
  );
}

export function getStatusResponse(status: string): string {
  return soapEnvelope(`    <_1:getStatusResponse>${status}</_1:getStatusResponse>\n`);
}

export function getMessageErrorsResponse(items: readonly MessageErrorItem[]): string {
  const inner = items
    .map(
      (e) =>
        `      <item>\n` +
        leaf('domibusErrorCode', e.code, '        ') +
        leaf('errorDetail', e.detail, '        ') +
        (e.mshRole === undefined ? '' : leaf('mshRole', e.mshRole, '        ')) +
        (e.timestamp === undefined ? '' : leaf('timestamp', e.timestamp, '        ')) +
        `      </item>\n`,
    )
    .join('');
  return soapEnvelope(pluginElement('getMessageErrorsResponse', inner));
}

/** Which request a body element is (stand-in dispatch). */
export function requestMessageId(el: XmlElement): string | undefined {
  const id = el.children.find((c) => c.local === 'messageID')?.text.trim();
  return id === undefined || id === '' ? undefined : id;
}
