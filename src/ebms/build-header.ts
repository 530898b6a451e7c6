/** Serialises a UserMessage as an `eb:Messaging` header (the SOAP header block of an AS4 message). */
import { ElementWriter, serializeXml } from '../edm/xml/write.js';
import { EBMS_NS, type EbmsParty, type EbmsProperty, type UserMessage } from './model.js';

export interface BuildHeaderOptions {
  /** Write an XML declaration (for a standalone file); off by default, as the header sits in a SOAP envelope. */
  readonly declaration?: boolean;
}

export function buildMessagingHeader(message: UserMessage, options: BuildHeaderOptions = {}): string {
  const messaging = new ElementWriter('eb:Messaging').att('xmlns:eb', EBMS_NS);
  const um = messaging.ele('eb:UserMessage');
  const info = um.ele('eb:MessageInfo');
  if (message.timestamp !== undefined) info.ele('eb:Timestamp').txt(message.timestamp);
  info.ele('eb:MessageId').txt(message.messageId);
  const parties = um.ele('eb:PartyInfo');
  party(parties.ele('eb:From'), message.from);
  party(parties.ele('eb:To'), message.to);
  const collab = um.ele('eb:CollaborationInfo');
  const service = collab.ele('eb:Service').txt(message.service);
  if (message.serviceType !== undefined) service.att('type', message.serviceType);
  collab.ele('eb:Action').txt(message.action);
  collab.ele('eb:ConversationId').txt(message.conversationId);
  if (message.properties.length > 0) props(um.ele('eb:MessageProperties'), message.properties);
  if (message.payloads.length > 0) {
    const payloadInfo = um.ele('eb:PayloadInfo');
    for (const part of message.payloads) {
      const el = payloadInfo.ele('eb:PartInfo').att('href', part.href);
      // MimeType is the one part property OOTS requires; write it even if the list forgot it.
      const list =
        part.properties.some((p) => p.name === 'MimeType') || part.mimeType === undefined
          ? part.properties
          : [{ name: 'MimeType', value: part.mimeType }, ...part.properties];
      if (list.length > 0) props(el.ele('eb:PartProperties'), list);
    }
  }
  return serializeXml(messaging, { declaration: options.declaration === true });
}

function party(el: ElementWriter, p: EbmsParty): void {
  const id = el.ele('eb:PartyId').txt(p.partyId);
  if (p.partyIdType !== undefined) id.att('type', p.partyIdType);
  el.ele('eb:Role').txt(p.role);
}

function props(parent: ElementWriter, list: readonly EbmsProperty[]): void {
  for (const p of list) {
    const el = parent.ele('eb:Property').att('name', p.name);
    if (p.type !== undefined) el.att('type', p.type);
    el.txt(p.value);
  }
}
