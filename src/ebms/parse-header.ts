/**
 * Reads an `eb:Messaging` header (our namespace-resolved tree, from parseXml) into a
 * UserMessage. Missing mandatory parts are reported as EDM:ERR:0003: header-rule violations are
 * answered with an InvalidRequestException naming the problem (TDD 4.7.1), not an ebMS error.
 */
import { AdapterError } from '../errors.js';
import { attr, child, childrenNamed, descendantsAndSelf, type XmlElement } from '../edm/xml/tree.js';
import { EBMS_NS, type EbmsParty, type EbmsProperty, type PayloadPart, type UserMessage } from './model.js';

function invalid(message: string): AdapterError {
  return new AdapterError('ERR_EDM_INVALID', `ebMS header: ${message}`, { edmCode: 'EDM:ERR:0003' });
}

/** The first `eb:Messaging` at or below `root` (a bare header, or a SOAP envelope holding one). */
export function findMessaging(root: XmlElement): XmlElement | undefined {
  for (const el of descendantsAndSelf(root)) if (el.ns === EBMS_NS && el.local === 'Messaging') return el;
  return undefined;
}

/** Reads the (first) UserMessage of `messaging`, which may also be the `eb:UserMessage` itself. */
export function parseUserMessage(messaging: XmlElement): UserMessage {
  const um =
    messaging.local === 'UserMessage' && messaging.ns === EBMS_NS
      ? messaging
      : child(messaging, EBMS_NS, 'UserMessage');
  if (um === undefined) throw invalid('no eb:UserMessage');
  const info = child(um, EBMS_NS, 'MessageInfo');
  const parties = child(um, EBMS_NS, 'PartyInfo');
  const collab = child(um, EBMS_NS, 'CollaborationInfo');
  if (collab === undefined) throw invalid('no eb:CollaborationInfo');
  const service = child(collab, EBMS_NS, 'Service');
  const timestamp = info === undefined ? undefined : text(info, 'Timestamp');
  return {
    messageId: required(info, 'MessageId', 'eb:MessageInfo/eb:MessageId'),
    ...(timestamp === undefined ? {} : { timestamp }),
    from: party(parties, 'From'),
    to: party(parties, 'To'),
    service: service?.text.trim() || throwInvalid('no eb:Service'),
    serviceType: service === undefined ? undefined : attr(service, 'type'),
    action: required(collab, 'Action', 'eb:Action'),
    conversationId: required(collab, 'ConversationId', 'eb:ConversationId'),
    properties: properties(child(um, EBMS_NS, 'MessageProperties')),
    payloads: payloads(child(um, EBMS_NS, 'PayloadInfo')),
  };
}

function throwInvalid(message: string): never {
  throw invalid(message);
}

function text(parent: XmlElement, local: string): string | undefined {
  const value = child(parent, EBMS_NS, local)?.text.trim();
  return value === undefined || value === '' ? undefined : value;
}

function required(parent: XmlElement | undefined, local: string, what: string): string {
  return (parent === undefined ? undefined : text(parent, local)) ?? throwInvalid(`no ${what}`);
}

function party(parties: XmlElement | undefined, side: 'From' | 'To'): EbmsParty {
  const el = parties === undefined ? undefined : child(parties, EBMS_NS, side);
  if (el === undefined) throw invalid(`no eb:PartyInfo/eb:${side}`);
  const id = child(el, EBMS_NS, 'PartyId');
  const partyId = id?.text.trim();
  if (id === undefined || partyId === undefined || partyId === '') throw invalid(`no eb:${side}/eb:PartyId`);
  return { partyId, partyIdType: attr(id, 'type'), role: required(el, 'Role', `eb:${side}/eb:Role`) };
}

function properties(parent: XmlElement | undefined): EbmsProperty[] {
  if (parent === undefined) return [];
  return childrenNamed(parent, EBMS_NS, 'Property').map((p) => {
    const name = attr(p, 'name') ?? throwInvalid('eb:Property without name');
    const type = attr(p, 'type');
    return type === undefined ? { name, value: p.text.trim() } : { name, value: p.text.trim(), type };
  });
}

function payloads(info: XmlElement | undefined): PayloadPart[] {
  if (info === undefined) return [];
  return childrenNamed(info, EBMS_NS, 'PartInfo').map((part) => {
    const props = properties(child(part, EBMS_NS, 'PartProperties'));
    return {
      href: attr(part, 'href') ?? throwInvalid('eb:PartInfo without href'),
      mimeType: props.find((p) => p.name === 'MimeType')?.value,
      properties: props,
    };
  });
}
