/**
 * Reads a `query:QueryRequest` tree into the typed model (notes §2). The reader is lenient on
 * purpose: whatever is missing or malformed becomes `undefined` or an empty list, and the rule
 * engine (run on the same tree) says what is wrong by rule ID. It refuses only what it cannot
 * read at all: a root that is not a QueryRequest, or a version the adapter does not serve.
 */
import { AdapterError } from '../errors.js';
import type {
  Address,
  Agent,
  DataServiceEvidenceType,
  DistributedAs,
  EdmVersion,
  EvidenceProviderClassification,
  Identifier,
  LegalPerson,
  LocalizedText,
  NaturalPerson,
  QueryRequest,
  Requirement,
  SectorSpecificAttribute,
  Subject,
} from './model.js';
import { readVersion, UnsupportedVersionError } from './version.js';
import { NS } from './xml/namespaces.js';
import { attr, child, childrenNamed, type XmlElement } from './xml/tree.js';

export interface ParseRequestOptions {
  /**
   * Version to assume when the payload carries no `SpecificationIdentifier` at all, e.g. the
   * ebMS `SpecificationId` property of a v2.0 message. Never overrides a value that is present.
   */
  readonly fallbackVersion?: EdmVersion;
  /**
   * Read the request as this version whatever its SpecificationIdentifier says: used to echo a
   * refused request (unsupported version) in the error response that answers it.
   */
  readonly versionOverride?: EdmVersion;
}

/**
 * Parses a QueryRequest. Throws AdapterError `ERR_EDM_UNKNOWN_DOCUMENT` when the root is not
 * `query:QueryRequest`, and UnsupportedVersionError when the SpecificationIdentifier names no
 * supported version (or is absent and no `fallbackVersion` is given).
 */
export function parseQueryRequest(root: XmlElement, options: ParseRequestOptions = {}): QueryRequest {
  if (root.ns !== NS.query || root.local !== 'QueryRequest') {
    throw new AdapterError('ERR_EDM_UNKNOWN_DOCUMENT', `expected query:QueryRequest, found {${root.ns}}${root.local}`, {
      edmCode: 'EDM:ERR:0003',
    });
  }
  const version = options.versionOverride ?? versionOf(root, options.fallbackVersion);
  const slots = slotsOf(root);
  const query = child(root, NS.query, 'Query');
  const querySlots = query === undefined ? new Map<string, XmlElement>() : slotsOf(query);

  const naturalPerson = first(payloads(querySlots.get('NaturalPerson'), 'Person'));
  const legalPerson = first(payloads(querySlots.get('LegalPerson'), 'LegalPerson'));
  // Both present is a violation (R-EDM-REQ-S016) the rules report; the natural person wins here.
  const subject: Subject | undefined =
    naturalPerson !== undefined
      ? readPerson(naturalPerson)
      : legalPerson !== undefined
        ? readLegalPerson(legalPerson)
        : undefined;
  const representative = first(payloads(querySlots.get('AuthorizedRepresentative'), 'Person'));
  const representativeLegal = first(payloads(querySlots.get('AuthorizedRepresentativeLegalPerson'), 'LegalPerson'));
  const evidenceRequest = first(payloads(querySlots.get('EvidenceRequest'), 'DataServiceEvidenceType'));

  return {
    id: attr(root, 'id')?.trim() ?? '',
    version,
    lang: attr(root, 'lang', NS.xml),
    issueDateTime: stringValue(slots.get('IssueDateTime')),
    procedure: procedureOf(slots.get('Procedure')),
    previewLocation: stringValue(slots.get('PreviewLocation')),
    returnLocation: stringValue(slots.get('ReturnLocation')),
    possibilityForPreview: booleanValue(slots.get('PossibilityForPreview')),
    explicitRequestGiven: booleanValue(slots.get('ExplicitRequestGiven')),
    requirements: payloads(slots.get('Requirements'), 'Requirement').map(readRequirement),
    evidenceRequesters: payloads(slots.get('EvidenceRequester'), 'Agent').map(readAgent),
    evidenceProvider: mapDefined(first(payloads(slots.get('EvidenceProvider'), 'Agent')), readAgent),
    evidenceProviderClassifications: payloads(
      slots.get('EvidenceProviderClassification'),
      'EvidenceProviderClassification',
    ).map(readClassification),
    subject,
    authorizedRepresentative: mapDefined(representative, readPerson),
    authorizedRepresentativeLegalPerson: mapDefined(representativeLegal, readLegalPerson),
    evidenceRequest: mapDefined(evidenceRequest, readEvidenceType),
  };
}

function versionOf(root: XmlElement, fallback: EdmVersion | undefined): EdmVersion {
  const reading = readVersion(root);
  if (reading.version !== undefined) return reading.version;
  if (reading.raw === undefined && fallback !== undefined) return fallback;
  throw new UnsupportedVersionError(reading.raw);
}

/** Slots by `@name` (the first of a name wins; duplicates are the rules' business). */
function slotsOf(el: XmlElement): Map<string, XmlElement> {
  const out = new Map<string, XmlElement>();
  for (const slot of childrenNamed(el, NS.rim, 'Slot')) {
    const name = attr(slot, 'name')?.trim();
    if (name !== undefined && !out.has(name)) out.set(name, slot);
  }
  return out;
}

function slotValueOf(slot: XmlElement | undefined): XmlElement | undefined {
  return slot === undefined ? undefined : child(slot, NS.rim, 'SlotValue');
}

/** Text of `rim:SlotValue/rim:Value`, trimmed (official samples wrap values across lines). */
function stringValue(slot: XmlElement | undefined): string | undefined {
  const sv = slotValueOf(slot);
  const value = sv === undefined ? undefined : child(sv, NS.rim, 'Value');
  return value === undefined ? undefined : value.text.trim();
}

function booleanValue(slot: XmlElement | undefined): boolean | undefined {
  const text = stringValue(slot);
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  return undefined;
}

/**
 * 1.x writes the procedure as InternationalStringValueType (`rim:LocalizedString @value
 * @xml:lang`), 2.0 as StringValueType (`rim:Value` text). Either shape is read in any version;
 * whether the shape fits the version is rule S022's concern.
 */
function procedureOf(slot: XmlElement | undefined): LocalizedText | undefined {
  const sv = slotValueOf(slot);
  const value = sv === undefined ? undefined : child(sv, NS.rim, 'Value');
  if (value === undefined) return undefined;
  const localized = child(value, NS.rim, 'LocalizedString');
  if (localized !== undefined) {
    const code = attr(localized, 'value')?.trim();
    return code === undefined ? undefined : { lang: langOf(localized), value: code };
  }
  const text = value.text.trim();
  return text === '' ? undefined : { lang: undefined, value: text };
}

/**
 * The sdg elements a slot carries: direct children of its SlotValue (AnyValueType) or of its
 * `rim:Element`s (CollectionValueType). Both shapes are accepted for every slot; which one a
 * slot must use is checked by the structure rules.
 */
function payloads(slot: XmlElement | undefined, local: string): XmlElement[] {
  const sv = slotValueOf(slot);
  if (sv === undefined) return [];
  const out: XmlElement[] = [];
  for (const c of sv.children) {
    if (c.ns === NS.sdg && c.local === local) out.push(c);
    else if (c.ns === NS.rim && c.local === 'Element') out.push(...childrenNamed(c, NS.sdg, local));
  }
  return out;
}

function first<T>(items: readonly T[]): T | undefined {
  return items[0];
}

function mapDefined<T, U>(value: T | undefined, fn: (v: T) => U): U | undefined {
  return value === undefined ? undefined : fn(value);
}

function text(el: XmlElement, local: string): string | undefined {
  const c = child(el, NS.sdg, local);
  return c === undefined ? undefined : c.text.trim();
}

function texts(el: XmlElement, local: string): string[] {
  return childrenNamed(el, NS.sdg, local).map((c) => c.text.trim());
}

/** sdg elements carry `lang`; rim:LocalizedString carries `xml:lang`. Either is accepted on both. */
function langOf(el: XmlElement): string | undefined {
  return attr(el, 'lang') ?? attr(el, 'lang', NS.xml);
}

function localized(el: XmlElement, local: string): LocalizedText[] {
  return childrenNamed(el, NS.sdg, local).map((c) => ({ lang: langOf(c), value: c.text.trim() }));
}

function readIdentifier(el: XmlElement): Identifier {
  return { value: el.text.trim(), schemeID: attr(el, 'schemeID')?.trim() };
}

function identifier(el: XmlElement | undefined): Identifier | undefined {
  return mapDefined(el, readIdentifier);
}

const ADDRESS_FIELDS = [
  ['fullAddress', 'FullAddress'],
  ['locatorDesignator', 'LocatorDesignator'],
  ['postCode', 'PostCode'],
  ['postCityName', 'PostCityName'],
  ['thoroughfare', 'Thoroughfare'],
  ['adminUnitLevel1', 'AdminUnitLevel1'],
  ['adminUnitLevel2', 'AdminUnitLevel2'],
] as const satisfies readonly (readonly [keyof Address, string])[];

function readAddress(el: XmlElement | undefined): Address | undefined {
  if (el === undefined) return undefined;
  const out: { -readonly [K in keyof Address]: Address[K] } = {};
  for (const [key, local] of ADDRESS_FIELDS) {
    const value = text(el, local);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function readAgent(el: XmlElement): Agent {
  return {
    identifier: identifier(child(el, NS.sdg, 'Identifier')),
    names: localized(el, 'Name'),
    address: readAddress(child(el, NS.sdg, 'Address')),
    classification: text(el, 'Classification'),
  };
}

function readRequirement(el: XmlElement): Requirement {
  return {
    identifier: text(el, 'Identifier'),
    names: localized(el, 'Name'),
    descriptions: localized(el, 'Description'),
  };
}

const SUPPORTED_VALUE_KINDS = ['String', 'Date', 'Boolean'] as const;

function readClassification(el: XmlElement): EvidenceProviderClassification {
  const supported = child(el, NS.sdg, 'SupportedValue');
  let supportedValue: EvidenceProviderClassification['supportedValue'];
  if (supported !== undefined) {
    for (const kind of SUPPORTED_VALUE_KINDS) {
      const value = text(supported, `${kind}Value`);
      if (value !== undefined) {
        supportedValue = { kind, value };
        break;
      }
    }
  }
  return {
    identifier: text(el, 'Identifier'),
    type: text(el, 'Type'),
    valueExpression: text(el, 'ValueExpression'),
    descriptions: localized(el, 'Description'),
    supportedValue,
  };
}

function readSectorAttributes(el: XmlElement): SectorSpecificAttribute[] {
  return childrenNamed(el, NS.sdg, 'SectorSpecificAttribute').map((a) => ({
    attributeName: text(a, 'AttributeName'),
    attributeURI: text(a, 'AttributeURI'),
    attributeValue: text(a, 'AttributeValue'),
  }));
}

/** `sdg:Person` (PersonType): the v1.0 XSD fields plus the v1.2 eIDAS optional attributes. */
function readPerson(el: XmlElement): NaturalPerson {
  return {
    kind: 'NaturalPerson',
    levelOfAssurance: text(el, 'LevelOfAssurance'),
    identifier: identifier(child(el, NS.sdg, 'Identifier')),
    familyName: text(el, 'FamilyName'),
    givenName: text(el, 'GivenName'),
    dateOfBirth: text(el, 'DateOfBirth'),
    birthName: text(el, 'BirthName'),
    placeOfBirth: text(el, 'PlaceOfBirth'),
    currentAddress: readAddress(child(el, NS.sdg, 'CurrentAddress')),
    gender: text(el, 'Gender'),
    nationality: text(el, 'Nationality'),
    countryOfBirth: text(el, 'CountryOfBirth'),
    townOfBirth: text(el, 'TownOfBirth'),
    countryOfResidence: text(el, 'CountryOfResidence'),
    phoneNumber: text(el, 'PhoneNumber'),
    emailAddress: text(el, 'EmailAddress'),
    sectorSpecificAttributes: readSectorAttributes(el),
  };
}

/** `sdg:LegalPerson` (LegalPersonType). */
function readLegalPerson(el: XmlElement): LegalPerson {
  return {
    kind: 'LegalPerson',
    levelOfAssurance: text(el, 'LevelOfAssurance'),
    legalPersonIdentifier: identifier(child(el, NS.sdg, 'LegalPersonIdentifier')),
    identifiers: childrenNamed(el, NS.sdg, 'Identifier').map(readIdentifier),
    legalName: text(el, 'LegalName'),
    registeredAddress: readAddress(child(el, NS.sdg, 'RegisteredAddress')),
    sectorSpecificAttributes: readSectorAttributes(el),
  };
}

function readDistribution(el: XmlElement): DistributedAs {
  const associated = texts(el, 'AssociatedDocumentRequest');
  return {
    format: text(el, 'Format'),
    conformsTo: text(el, 'ConformsTo'),
    transformation: text(el, 'Transformation'),
    languages: texts(el, 'Language'),
    ...(associated.length === 0 ? {} : { associatedDocumentRequests: associated }),
  };
}

function readEvidenceType(el: XmlElement): DataServiceEvidenceType {
  const distributedAs = childrenNamed(el, NS.sdg, 'DistributedAs').map(readDistribution);
  // The 2.0 schema places AssociatedDocumentRequest last in DistributedAs; one written directly in
  // the evidence type is read too, so that a misplaced request is judged by the rules, not lost.
  const associated = [
    ...distributedAs.flatMap((d) => d.associatedDocumentRequests ?? []),
    ...texts(el, 'AssociatedDocumentRequest'),
  ];
  return {
    identifier: text(el, 'Identifier'),
    evidenceTypeClassification: text(el, 'EvidenceTypeClassification'),
    titles: localized(el, 'Title'),
    descriptions: localized(el, 'Description'),
    distributedAs,
    associatedDocumentRequests: [...new Set(associated)],
  };
}
