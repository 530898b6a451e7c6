/**
 * A synthetic OOTS QueryRequest for trying a mapping on one test subject
 * (`oots-adapter mappings try`, the admin page's "try"): what a foreign authority would send for
 * this evidence type and format about this person or company, with the ebMS header a connector
 * would deliver. The subject's identifier is written in the form the mapping's lookup expects.
 */
import type { UserMessage } from '../ebms/model.js';
import type { EvidenceMapping } from './model.js';

export interface TrySubject {
  /**
   * The subject as the controller names it: a personal code (`120488-14731`), a registration
   * number, or a whole eIDAS identifier (`LV/DE/12048814731`, `DE/DE/123456789`).
   */
  readonly id: string;
  readonly familyName?: string | undefined;
  readonly givenName?: string | undefined;
  readonly dateOfBirth?: string | undefined;
  readonly legalName?: string | undefined;
}

export interface TryRequestInput {
  readonly mapping: EvidenceMapping;
  /** Media type; undefined = the mapping's first distribution. */
  readonly format: string | undefined;
  readonly subject: TrySubject;
  readonly requestId: string;
  readonly evidenceRequestId: string;
  readonly conversationId: string;
  readonly messageId: string;
  /** xsd:dateTime. */
  readonly issueDateTime: string;
  /** The adapter's evidence provider (finalRecipient). */
  readonly provider: { readonly identifier: string; readonly scheme: string };
}

const ER = {
  id: 'LV-MAPPINGS-TRY',
  scheme: 'urn:cef.eu:names:identifier:EAS:0204',
  name: 'Mapping try-out (oots-adapter mappings try)',
  country: 'DE',
};
const PARTY_TYPE = 'urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots';
const GATEWAY = 'http://sdg.europa.eu/edelivery/gateway';
/** The href of the request payload in the synthetic user message. */
export const TRY_PAYLOAD_HREF = 'cid:request@mappings-try.invalid';

/** The eIDAS identifier a request carries for `id` under the mapping's lookup. */
export function eidasIdentifierFor(id: string): string {
  const trimmed = id.trim();
  if (trimmed.includes('/')) return trimmed;
  return `LV/${ER.country}/${trimmed.replace(/[\s-]/g, '')}`;
}

export function tryRequestXml(input: TryRequestInput): string {
  const m = input.mapping;
  const distribution =
    input.format === undefined
      ? m.distributions[0]!
      : (m.distributions.find((d) => d.format === input.format) ?? { format: input.format });
  const conformsTo = 'conformsTo' in distribution ? distribution.conformsTo : undefined;
  const s = input.subject;
  const subject =
    m.subject === 'NaturalPerson'
      ? `<rim:Slot name="NaturalPerson"><rim:SlotValue xsi:type="rim:AnyValueType"><sdg:Person>
<sdg:LevelOfAssurance>High</sdg:LevelOfAssurance>
<sdg:Identifier schemeID="eidas">${esc(eidasIdentifierFor(s.id))}</sdg:Identifier>
<sdg:FamilyName>${esc(s.familyName ?? 'Test')}</sdg:FamilyName>
<sdg:GivenName>${esc(s.givenName ?? 'Test')}</sdg:GivenName>
<sdg:DateOfBirth>${esc(s.dateOfBirth ?? '1970-01-01')}</sdg:DateOfBirth>
</sdg:Person></rim:SlotValue></rim:Slot>`
      : `<rim:Slot name="LegalPerson"><rim:SlotValue xsi:type="rim:AnyValueType"><sdg:LegalPerson>
<sdg:LevelOfAssurance>High</sdg:LevelOfAssurance>
<sdg:LegalPersonIdentifier schemeID="eidas">${esc(eidasIdentifierFor(s.id))}</sdg:LegalPersonIdentifier>
${
  m.dagr.lookup.from === 'legal-identifier'
    ? `<sdg:Identifier schemeID="${esc(m.dagr.lookup.scheme ?? 'VAT')}">LV${esc(s.id.replace(/^LV/i, '').replace(/[\s-]/g, ''))}</sdg:Identifier>\n`
    : ''
}<sdg:LegalName>${esc(s.legalName ?? 'Test')}</sdg:LegalName>
</sdg:LegalPerson></rim:SlotValue></rim:Slot>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<query:QueryRequest xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:4.0" xmlns:sdg="http://data.europa.eu/p4s" xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:4.0" xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0" xmlns:xlink="http://www.w3.org/1999/xlink" xml:lang="EN" id="urn:uuid:${esc(input.requestId)}">
<rim:Slot name="SpecificationIdentifier"><rim:SlotValue xsi:type="rim:StringValueType"><rim:Value>oots-edm:v1.0</rim:Value></rim:SlotValue></rim:Slot>
<rim:Slot name="IssueDateTime"><rim:SlotValue xsi:type="rim:DateTimeValueType"><rim:Value>${esc(input.issueDateTime)}</rim:Value></rim:SlotValue></rim:Slot>
<rim:Slot name="Procedure"><rim:SlotValue xsi:type="rim:InternationalStringValueType"><rim:Value><rim:LocalizedString xml:lang="EN" value="T2"/></rim:Value></rim:SlotValue></rim:Slot>
<rim:Slot name="PossibilityForPreview"><rim:SlotValue xsi:type="rim:BooleanValueType"><rim:Value>false</rim:Value></rim:SlotValue></rim:Slot>
<rim:Slot name="ExplicitRequestGiven"><rim:SlotValue xsi:type="rim:BooleanValueType"><rim:Value>true</rim:Value></rim:SlotValue></rim:Slot>
<rim:Slot name="Requirements"><rim:SlotValue xsi:type="rim:CollectionValueType" collectionType="urn:oasis:names:tc:ebxml-regrep:CollectionType:Set"><rim:Element xsi:type="rim:AnyValueType"><sdg:Requirement><sdg:Identifier>https://sr.oots.tech.europa.eu/requirements/00000000-0000-4000-8000-000000000001</sdg:Identifier><sdg:Name lang="EN">Mapping try-out</sdg:Name></sdg:Requirement></rim:Element></rim:SlotValue></rim:Slot>
<rim:Slot name="EvidenceRequester"><rim:SlotValue xsi:type="rim:CollectionValueType"><rim:Element xsi:type="rim:AnyValueType"><sdg:Agent><sdg:Identifier schemeID="${ER.scheme}">${ER.id}</sdg:Identifier><sdg:Name lang="EN">${esc(ER.name)}</sdg:Name><sdg:Address><sdg:AdminUnitLevel1>${ER.country}</sdg:AdminUnitLevel1></sdg:Address><sdg:Classification>ER</sdg:Classification></sdg:Agent></rim:Element></rim:SlotValue></rim:Slot>
<rim:Slot name="EvidenceProvider"><rim:SlotValue xsi:type="rim:AnyValueType"><sdg:Agent><sdg:Identifier schemeID="${esc(m.issuingAuthority.scheme)}">${esc(m.issuingAuthority.id)}</sdg:Identifier><sdg:Name lang="LV">${esc(m.issuingAuthority.name.lv)}</sdg:Name></sdg:Agent></rim:SlotValue></rim:Slot>
<query:ResponseOption returnType="LeafClassWithRepositoryItem"/>
<query:Query queryDefinition="DocumentQuery">
${subject}
<rim:Slot name="EvidenceRequest"><rim:SlotValue xsi:type="rim:AnyValueType"><sdg:DataServiceEvidenceType>
<sdg:Identifier>${esc(input.evidenceRequestId)}</sdg:Identifier>
<sdg:EvidenceTypeClassification>${esc(m.evidenceTypes[0]!)}</sdg:EvidenceTypeClassification>
<sdg:Title lang="EN">${esc(m.title.en)}</sdg:Title>
<sdg:DistributedAs><sdg:Format>${esc(distribution.format)}</sdg:Format>${conformsTo === undefined ? '' : `<sdg:ConformsTo>${esc(conformsTo)}</sdg:ConformsTo>`}</sdg:DistributedAs>
</sdg:DataServiceEvidenceType></rim:SlotValue></rim:Slot>
</query:Query>
</query:QueryRequest>
`;
}

/** The ebMS user message a connector would deliver with the request (v1.x: two properties). */
export function tryUserMessage(input: Omit<TryRequestInput, 'subject' | 'mapping' | 'format'>): UserMessage {
  return {
    messageId: input.messageId,
    timestamp: input.issueDateTime,
    conversationId: input.conversationId,
    from: { partyId: 'AP_MAPPINGS_TRY', partyIdType: PARTY_TYPE, role: GATEWAY },
    to: { partyId: 'AP_LV_OOTS', partyIdType: PARTY_TYPE, role: GATEWAY },
    service: 'QueryManager',
    serviceType: 'urn:oasis:names:tc:ebcore:ebrs:ebms:binding:1.0',
    action: 'ExecuteQueryRequest',
    properties: [
      { name: 'originalSender', value: ER.id, type: ER.scheme },
      { name: 'finalRecipient', value: input.provider.identifier, type: input.provider.scheme },
    ],
    payloads: [{ href: TRY_PAYLOAD_HREF, mimeType: 'application/x-ebrs+xml', properties: [] }],
  };
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${String(c.charCodeAt(0))};`);
}
