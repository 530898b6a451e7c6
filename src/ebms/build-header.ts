/** Serialises a UserMessage as an `eb:Messaging` header (the SOAP header block of an AS4 message). */
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { EBMS_NS, type EbmsParty, type EbmsProperty, type UserMessage } from './model.js';

export interface BuildHeaderOptions {
  /** Write an XML declaration (for a standalone file); off by default, as the header sits in a SOAP envelope. */
  readonly declaration?: boolean;
}

export function buildMessagingHeader(message: UserMessage, options: BuildHeaderOptions = {}): string {
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  const um = doc.ele(EBMS_NS, 'eb:Messaging').ele(EBMS_NS, 'eb:UserMessage');
  const info = um.ele(EBMS_NS, 'eb:MessageInfo');
  if (message.timestamp !== undefined) info.ele(EBMS_NS, 'eb:Timestamp').txt(message.timestamp);
  info.ele(EBMS_NS, 'eb:MessageId').txt(message.messageId);
  const parties = um.ele(EBMS_NS, 'eb:PartyInfo');
  party(parties.ele(EBMS_NS, 'eb:From'), message.from);
  party(parties.ele(EBMS_NS, 'eb:To'), message.to);
  const collab = um.ele(EBMS_NS, 'eb:CollaborationInfo');
  const service = collab.ele(EBMS_NS, 'eb:Service').txt(message.service);
  if (message.serviceType !== undefined) service.att('type', message.serviceType);
  collab.ele(EBMS_NS, 'eb:Action').txt(message.action);
  collab.ele(EBMS_NS, 'eb:ConversationId').txt(message.conversationId);
  if (message.properties.length > 0) props(um.ele(EBMS_NS, 'eb:MessageProperties'), message.properties);
  if (message.payloads.length > 0) {
    const payloadInfo = um.ele(EBMS_NS, 'eb:PayloadInfo');
    for (const part of message.payloads) {
      const el = payloadInfo.ele(EBMS_NS, 'eb:PartInfo').att('href', part.href);
      // MimeType is the one part property OOTS requires; write it even if the list forgot it.
      const list =
        part.properties.some((p) => p.name === 'MimeType') || part.mimeType === undefined
          ? part.properties
          : [{ name: 'MimeType', value: part.mimeType }, ...part.properties];
      if (list.length > 0) props(el.ele(EBMS_NS, 'eb:PartProperties'), list);
    }
  }
  return doc.end({ prettyPrint: true, indent: '  ', headless: options.declaration !== true }) + '\n';
}

function party(el: XMLBuilder, p: EbmsParty): void {
  const id = el.ele(EBMS_NS, 'eb:PartyId').txt(p.partyId);
  if (p.partyIdType !== undefined) id.att('type', p.partyIdType);
  el.ele(EBMS_NS, 'eb:Role').txt(p.role);
}

function props(parent: XMLBuilder, list: readonly EbmsProperty[]): void {
  for (const p of list) {
    const el = parent.ele(EBMS_NS, 'eb:Property').att('name', p.name);
    if (p.type !== undefined) el.att('type', p.type);
    el.txt(p.value);
  }
}
