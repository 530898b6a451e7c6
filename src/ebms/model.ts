/**
 * The AS4 (ebMS 3) UserMessage metadata of an OOTS exchange (notes §6): who sends to whom, the
 * conversation, the 4-corner properties and the payload parts. Pure data.
 */

export const EBMS_NS = 'http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/';
/** The one ebMS service of EDM exchanges and its type. */
export const QUERY_MANAGER = 'QueryManager';
export const EBRS_BINDING = 'urn:oasis:names:tc:ebcore:ebrs:ebms:binding:1.0';
/** Role of both access points. */
export const GATEWAY_ROLE = 'http://sdg.europa.eu/edelivery/gateway';
/** MIME type of the RegRep payload (first part). */
export const EBRS_MIME_TYPE = 'application/x-ebrs+xml';

export type EbmsAction = 'ExecuteQueryRequest' | 'ExecuteQueryResponse' | 'ExceptionResponse';

export interface EbmsParty {
  /** Access point id, e.g. `AP_LV_01`. */
  readonly partyId: string;
  /** `PartyId/@type`; undefined when the id is itself a URN. */
  readonly partyIdType: string | undefined;
  readonly role: string;
}

export interface EbmsProperty {
  readonly name: string;
  readonly value: string;
  /** `@type` (header XSD variant "with property type attribute"); older samples leave it out. */
  readonly type?: string;
}

export interface PayloadPart {
  /** `cid:<id>@<domain>`, equal to the MIME Content-ID and to `RepositoryItemRef/@xlink:href`. */
  readonly href: string;
  /** The `MimeType` part property. */
  readonly mimeType: string | undefined;
  /** Every part property in document order, MimeType included (CompressionType, PayloadName, …). */
  readonly properties: readonly EbmsProperty[];
}

export interface UserMessage {
  readonly messageId: string;
  /** xsd:dateTime; Domibus fills it in when a backend leaves it out. */
  readonly timestamp?: string;
  readonly from: EbmsParty;
  readonly to: EbmsParty;
  readonly service: string;
  readonly serviceType: string | undefined;
  readonly action: string;
  readonly conversationId: string;
  /** MessageProperties: originalSender, finalRecipient and in v2.0 ExchangeId, SpecificationId. */
  readonly properties: readonly EbmsProperty[];
  readonly payloads: readonly PayloadPart[];
}

/** The first message property called `name`. */
export function messageProperty(message: UserMessage, name: string): EbmsProperty | undefined {
  return message.properties.find((p) => p.name === name);
}
