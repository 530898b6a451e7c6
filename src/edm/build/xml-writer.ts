/**
 * Shared pieces of the EDM builders: the root with its fixed prefixes, typed slots, and the
 * `sdg:` structures (Agent, Person, LegalPerson, Address) in XSD element order.
 */
import type { Address, Agent, EdmVersion, Identifier, LegalPerson, LocalizedText, NaturalPerson } from '../model.js';
import { NS } from '../xml/namespaces.js';
import { ElementWriter } from '../xml/write.js';

export type Builder = ElementWriter;

export const STATUS = {
  success: 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success',
  unavailable: 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Unavailable',
  failure: 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure',
} as const;

const ROOT_PREFIXES = ['query', 'rim', 'rs', 'sdg', 'xsi', 'xlink'] as const;

/** A `query:QueryResponse` root declaring every prefix the builders use. */
export function responseRoot(status: string, requestId: string | undefined): Builder {
  const root = new ElementWriter('query:QueryResponse');
  for (const p of ROOT_PREFIXES) root.att(`xmlns:${p}`, NS[p]);
  root.att('status', status);
  if (requestId !== undefined) root.att('requestId', requestId);
  return root;
}

/** `<rim:Slot name><rim:SlotValue xsi:type="rim:<type>">` and returns the SlotValue. */
export function slotValue(parent: Builder, name: string, type: string): Builder {
  return parent
    .ele('rim:Slot')
    .att('name', name)
    .ele('rim:SlotValue')
    .att('xsi:type', `rim:${type}`);
}

export function stringSlot(parent: Builder, name: string, value: string): void {
  slotValue(parent, name, 'StringValueType').ele('rim:Value').txt(value);
}

export function dateTimeSlot(parent: Builder, name: string, value: string): void {
  slotValue(parent, name, 'DateTimeValueType').ele('rim:Value').txt(value);
}

export function internationalStringSlot(parent: Builder, name: string, texts: readonly LocalizedText[]): void {
  const value = slotValue(parent, name, 'InternationalStringValueType').ele('rim:Value');
  for (const t of texts) {
    const ls = value.ele('rim:LocalizedString');
    if (t.lang !== undefined) ls.att('xml:lang', t.lang);
    ls.att('value', t.value);
  }
}

function sdg(parent: Builder, local: string, text?: string): Builder {
  const el = parent.ele(`sdg:${local}`);
  if (text !== undefined) el.txt(text);
  return el;
}

function optional(parent: Builder, local: string, text: string | undefined): void {
  if (text !== undefined) sdg(parent, local, text);
}

function identifier(parent: Builder, local: string, id: Identifier): void {
  const el = sdg(parent, local, id.value);
  if (id.schemeID !== undefined) el.att('schemeID', id.schemeID);
}

function multilingual(parent: Builder, local: string, texts: readonly LocalizedText[]): void {
  for (const t of texts) {
    const el = sdg(parent, local, t.value);
    if (t.lang !== undefined) el.att('lang', t.lang);
  }
}

function address(parent: Builder, local: string, a: Address): void {
  const el = sdg(parent, local);
  optional(el, 'FullAddress', a.fullAddress);
  optional(el, 'LocatorDesignator', a.locatorDesignator);
  optional(el, 'PostCode', a.postCode);
  optional(el, 'PostCityName', a.postCityName);
  optional(el, 'Thoroughfare', a.thoroughfare);
  optional(el, 'AdminUnitLevel1', a.adminUnitLevel1);
  optional(el, 'AdminUnitLevel2', a.adminUnitLevel2);
}

/**
 * `sdg:Agent` (or another AgentType element). `full` writes Address and Classification too;
 * requesters are echoed with Identifier and Name only (R-EDM-RESP-S028).
 */
export function agent(
  parent: Builder,
  a: Agent,
  opts: { full: boolean; classification?: string; element?: string },
): void {
  const el = sdg(parent, opts.element ?? 'Agent');
  if (a.identifier !== undefined) identifier(el, 'Identifier', a.identifier);
  multilingual(el, 'Name', a.names);
  if (!opts.full) return;
  if (a.address !== undefined) address(el, 'Address', a.address);
  const classification = opts.classification ?? a.classification;
  if (classification !== undefined) sdg(el, 'Classification', classification);
}

/** `sdg:NaturalPerson` or `sdg:LegalPerson` of `sdg:IsAbout`. The eIDAS extras exist from v1.2 only. */
export function subject(parent: Builder, s: NaturalPerson | LegalPerson, version: EdmVersion): void {
  if (s.kind === 'LegalPerson') {
    const el = sdg(parent, 'LegalPerson');
    optional(el, 'LevelOfAssurance', s.levelOfAssurance);
    for (const id of s.identifiers) identifier(el, 'Identifier', id);
    if (s.legalPersonIdentifier !== undefined) identifier(el, 'LegalPersonIdentifier', s.legalPersonIdentifier);
    optional(el, 'LegalName', s.legalName);
    if (s.registeredAddress !== undefined) address(el, 'RegisteredAddress', s.registeredAddress);
    sectorSpecific(el, s.sectorSpecificAttributes);
    return;
  }
  const el = sdg(parent, 'NaturalPerson');
  optional(el, 'LevelOfAssurance', s.levelOfAssurance);
  if (s.identifier !== undefined) identifier(el, 'Identifier', s.identifier);
  optional(el, 'FamilyName', s.familyName);
  optional(el, 'GivenName', s.givenName);
  optional(el, 'DateOfBirth', s.dateOfBirth);
  optional(el, 'BirthName', s.birthName);
  optional(el, 'PlaceOfBirth', s.placeOfBirth);
  if (s.currentAddress !== undefined) address(el, 'CurrentAddress', s.currentAddress);
  optional(el, 'Gender', s.gender);
  if (version !== 'oots-edm:v1.0') {
    optional(el, 'Nationality', s.nationality);
    optional(el, 'CountryOfBirth', s.countryOfBirth);
    optional(el, 'TownOfBirth', s.townOfBirth);
    optional(el, 'CountryOfResidence', s.countryOfResidence);
    optional(el, 'PhoneNumber', s.phoneNumber);
    optional(el, 'EmailAddress', s.emailAddress);
  }
  sectorSpecific(el, s.sectorSpecificAttributes);
}

function sectorSpecific(parent: Builder, attrs: NaturalPerson['sectorSpecificAttributes']): void {
  for (const a of attrs) {
    const el = sdg(parent, 'SectorSpecificAttribute');
    optional(el, 'AttributeName', a.attributeName);
    optional(el, 'AttributeURI', a.attributeURI);
    optional(el, 'AttributeValue', a.attributeValue);
  }
}

export { identifier as sdgIdentifier, multilingual as sdgMultilingual, optional as sdgOptional, sdg as sdgElement };
