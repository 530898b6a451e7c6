/**
 * QueryRequest content rules: every assert of the official `EDM-REQ-C.sch` (v1.0 snapshot), by ID,
 * including its generated code-list asserts, with the meaning of the XPath test. Code lists are
 * tested by exact membership (the official tests use `contains()` on a concatenated list, which
 * accepts fragments). Departures are listed in `REQUEST_RULE_DEVIATIONS` (request-index.ts).
 * C001 and C032, whose meaning changed between versions, live in request-versions.ts.
 */
import {
  AGENT_CLASSIFICATIONS,
  COUNTRY_CODES,
  EAS_CODES,
  LANGUAGE_CODES,
  LEVELS_OF_ASSURANCE,
  OOTS_MEDIA_TYPES,
  PROCEDURES,
  PROCEDURES_SINCE_1_1_2,
  PROCEDURES_SINCE_1_2_5,
} from '../codelists.js';
import type { EdmVersion } from '../model.js';
import { NS } from '../xml/namespaces.js';
import { attr, type XmlElement } from '../xml/tree.js';
import {
  endsWithUuid,
  hasKid,
  hasSdgValue,
  inLanguageList,
  inList,
  isEidasIdentifier,
  isUuid,
  isV2,
  isXsdDate,
  isXsdDateTime,
  kids,
  normalizeSpace,
  requestRule,
  sdgKids,
  slotValues,
  slotsNamed,
  srPath,
  stringValue,
  type RequestView,
} from './common.js';
import type { Rule, RuleContext } from './engine.js';
import { slotObjects } from './request-structure.js';
import type { Severity } from '../violation.js';

// --- where things are -------------------------------------------------------------------------

function requirements(view: RequestView): readonly XmlElement[] {
  return slotObjects(view, 'top', 'Requirements', 'Requirement', true);
}
function requesterAgents(view: RequestView): readonly XmlElement[] {
  return slotObjects(view, 'top', 'EvidenceRequester', 'Agent', true);
}
function providerAgents(view: RequestView): readonly XmlElement[] {
  return slotObjects(view, 'top', 'EvidenceProvider', 'Agent', false);
}
function classifications(view: RequestView): readonly XmlElement[] {
  return slotObjects(view, 'top', 'EvidenceProviderClassification', 'EvidenceProviderClassification', true);
}
function evidenceTypes(view: RequestView): readonly XmlElement[] {
  return slotObjects(view, 'query', 'EvidenceRequest', 'DataServiceEvidenceType', false);
}
/** `sdg:Person` of NaturalPerson / AuthorizedRepresentative, `sdg:LegalPerson` of LegalPerson. */
function subjects(
  view: RequestView,
  slot: 'NaturalPerson' | 'AuthorizedRepresentative' | 'LegalPerson',
): readonly XmlElement[] {
  return slotObjects(view, 'query', slot, slot === 'LegalPerson' ? 'LegalPerson' : 'Person', false);
}
function procedureValues(view: RequestView): XmlElement[] {
  return kids2(slotValues(slotsNamed(view.topSlots, 'Procedure')), NS.rim, 'Value');
}
function kids2(parents: readonly XmlElement[], ns: string, local: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const p of parents) out.push(...kids(p, ns, local));
  return out;
}

// --- rule shapes ------------------------------------------------------------------------------

type Finder = (view: RequestView) => readonly XmlElement[];

/** Every element found must pass `ok`. */
function each(
  id: string,
  severity: Severity,
  text: string,
  find: Finder,
  ok: (el: XmlElement, ctx: RuleContext) => boolean,
): Rule {
  return requestRule(id, severity, text, (ctx, view) => {
    for (const el of find(view)) if (!ok(el, ctx)) ctx.report(el);
  });
}

function codeListText(list: string, context: string): string {
  return `Value supplied is unacceptable for constraints identified by '${list}' in the context '${context}'`;
}

const SCHEME_PRESENT = "The 'schemeID' attribute of 'Identifier' MUST be present.";
const LANG_PRESENT = "The value of 'lang' attribute MUST be be provided. Default value: 'EN'.";
const EIDAS_FORMAT =
  "The value of a Person 'Identifier' MUST have the format XX/YY/ZZZZZZZ where XX is the Nationality Code of the identifier and YY is the Nationality Code of the destination country and ZZZZZZZ is an undefined combination of characters which uniquely identifies the identity asserted in the country of origin. Example: ES/AT/02635542Y";
const DOB_FORMAT =
  "The value of 'DateOfBirth' MUST use the following format YYYY + “-“ + MM + “-“ + DD (as defined for xsd:date)";
const EAS_TEXT =
  "The value of the 'schemeID' attribute of the 'Identifier' MUST be part of the code list 'EAS' (Electronic Address Scheme ) and use the prefix 'urn:cef.eu:names:identifier:EAS:[Code]' or start with the following value 'urn:oasis:names:tc:ebcore:partyid-type:unregistered'";

const EAS_PREFIX = 'urn:cef.eu:names:identifier:EAS:';
const UNREGISTERED_PREFIX = 'urn:oasis:names:tc:ebcore:partyid-type:unregistered';

/** C012/C018: absent schemeID is C010/C017's finding, not this one's. */
function easSchemeOk(identifier: XmlElement): boolean {
  const scheme = attr(identifier, 'schemeID');
  if (scheme === undefined) return true;
  if (scheme.startsWith(UNREGISTERED_PREFIX)) return true;
  return scheme.startsWith(EAS_PREFIX) && EAS_CODES.has(scheme.slice(EAS_PREFIX.length));
}

/** The procedure codes a request of `version` may use ('00' from TDD 1.1.2; V5, X7, X9, AM1 from 1.2.5). */
export function proceduresFor(version: EdmVersion | undefined): (code: string) => boolean {
  const later = version === 'oots-edm:v1.2' || version === 'oots-edm:v2.0';
  return (code) =>
    PROCEDURES.has(code) || PROCEDURES_SINCE_1_1_2.has(code) || (later && PROCEDURES_SINCE_1_2_5.has(code));
}

/** v1.x: `rim:Value/rim:LocalizedString/@value`; v2.0: the `rim:Value` text itself. */
function procedureCodes(view: RequestView, version: EdmVersion | undefined): { at: XmlElement; code: string }[] {
  const out: { at: XmlElement; code: string }[] = [];
  for (const v of procedureValues(view)) {
    if (isV2(version)) out.push({ at: v, code: normalizeSpace(v.text) });
    else
      for (const ls of kids(v, NS.rim, 'LocalizedString')) {
        const code = attr(ls, 'value');
        if (code !== undefined) out.push({ at: ls, code: code.trim() });
      }
  }
  return out;
}

/** `@lang` of each element must be in LanguageCode (absent: another rule's finding). */
function langInList(el: XmlElement): boolean {
  const lang = attr(el, 'lang');
  return lang === undefined || inLanguageList(LANGUAGE_CODES, lang);
}
function langPresent(el: XmlElement): boolean {
  return normalizeSpace(attr(el, 'lang') ?? '') !== '';
}
function schemePresent(el: XmlElement): boolean {
  return attr(el, 'schemeID') !== undefined;
}
function text(el: XmlElement): string {
  return normalizeSpace(stringValue(el));
}
function srUri(el: XmlElement, re: RegExp): boolean {
  const path = srPath(text(el));
  return path !== undefined && re.test(path);
}
const ETC_PATH =
  /^evidencetypeclassifications\/[a-z]{2}\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REQUIREMENT_PATH = /^requirements\/(?:urn:uuid:)?([0-9a-f-]+)$/i;
const DISTRIBUTION_PATH = /^(?:distributions|datamodels)\//;

function addressCountries(persons: readonly XmlElement[], address: string): XmlElement[] {
  return sdgKids(sdgKids(persons, address), 'AdminUnitLevel1');
}

// --- the rules --------------------------------------------------------------------------------

const AR = 'AuthorizedRepresentative';

export const REQUEST_CONTENT_RULES: readonly Rule[] = [
  each(
    'R-EDM-REQ-C002',
    'error',
    "The 'rim:Value' of 'IssueDateTime' MUST be according to xsd:dateTime.",
    (v) => kids2(slotValues(slotsNamed(v.topSlots, 'IssueDateTime')), NS.rim, 'Value'),
    (el) => isXsdDateTime(normalizeSpace(el.text)),
  ),
  each(
    'R-EDM-REQ-C005',
    'error',
    "The 'rim:Value' of a 'PreviewLocation' MUST be a URI starting with 'https://'.",
    (v) => slotValues(slotsNamed(v.topSlots, 'PreviewLocation')),
    (sv) => {
      const value = kids(sv, NS.rim, 'Value')[0];
      return value !== undefined && stringValue(value).startsWith('https://');
    },
  ),
  // Official context names a `Requirement` slot (there is none: the slot is `Requirements`) and
  // demands `requirements/urn:uuid:<uuid>` on the snapshot host; we check the real slot and accept
  // both hosts and the bare-UUID form every sample uses.
  each(
    'R-EDM-REQ-C008',
    'error',
    "The value of 'Identifier' of a 'Requirement' MUST be a unique UUID (RFC 4122) listed in the EvidenceBroker and use the prefix 'https://sr.oots.tech.europa.eu/requirements/[UUID]' pointing to the Semantic Repository.",
    (v) => sdgKids(requirements(v), 'Identifier'),
    (el) => {
      const m = REQUIREMENT_PATH.exec(srPath(text(el)) ?? '');
      return m !== null && isUuid(m[1]!);
    },
  ),
  each(
    'R-EDM-REQ-C009',
    'error',
    codeListText(
      'LanguageCode-2.3',
      "query:QueryRequest/rim:Slot[@name='Requirements']/rim:SlotValue/rim:Element/sdg:Requirement/sdg:Name/@lang",
    ),
    (v) => sdgKids(requirements(v), 'Name'),
    langInList,
  ),
  each('R-EDM-REQ-C010', 'error', SCHEME_PRESENT, (v) => sdgKids(requesterAgents(v), 'Identifier'), schemePresent),
  each('R-EDM-REQ-C012', 'error', EAS_TEXT, (v) => sdgKids(requesterAgents(v), 'Identifier'), easSchemeOk),
  each('R-EDM-REQ-C013', 'error', "The value for 'Agent/Classification' MUST be provided.", requesterAgents, (a) =>
    hasSdgValue(a, 'Classification'),
  ),
  each(
    'R-EDM-REQ-C014',
    'error',
    codeListText(
      'AgentClassification-CodeList',
      "query:QueryRequest/rim:Slot[@name='EvidenceRequester']/rim:SlotValue/rim:Element/sdg:Agent/sdg:Classification",
    ),
    (v) => sdgKids(requesterAgents(v), 'Classification'),
    (el) => inList(AGENT_CLASSIFICATIONS, stringValue(el)),
  ),
  each(
    'R-EDM-REQ-C015',
    'error',
    codeListText(
      'CountryIdentificationCode-2.3',
      "query:QueryRequest/rim:Slot[@name='EvidenceRequester']/rim:SlotValue/rim:Element/sdg:Agent/sdg:Address/sdg:AdminUnitLevel1",
    ),
    (v) => addressCountries(requesterAgents(v), 'Address'),
    (el) => inList(COUNTRY_CODES, stringValue(el)),
  ),
  each('R-EDM-REQ-C017', 'error', SCHEME_PRESENT, (v) => sdgKids(providerAgents(v), 'Identifier'), schemePresent),
  each('R-EDM-REQ-C018', 'error', EAS_TEXT, (v) => sdgKids(providerAgents(v), 'Identifier'), easSchemeOk),
  each(
    'R-EDM-REQ-C019',
    'error',
    "The value of 'Identifier' of MUST be unique UUID (RFC 4122).",
    (v) => sdgKids(classifications(v), 'Identifier'),
    (el) => endsWithUuid(text(el)),
  ),
  each('R-EDM-REQ-C020', 'error', "The value for 'Type' MUST be provided.", classifications, (c) =>
    hasSdgValue(c, 'Type'),
  ),
  each(
    'R-EDM-REQ-C021',
    'error',
    codeListText(
      'LanguageCode-2.3',
      "query:QueryRequest/rim:Slot[@name='EvidenceProviderClassification']/rim:SlotValue/rim:Element/sdg:EvidenceProviderClassification/sdg:Description/@lang",
    ),
    (v) => sdgKids(classifications(v), 'Description'),
    langInList,
  ),
  each('R-EDM-REQ-C022', 'error', LANG_PRESENT, (v) => sdgKids(classifications(v), 'Description'), langPresent),
  each('R-EDM-REQ-C023', 'error', "A value for 'SupportedValue' MUST be provided.", classifications, (c) =>
    hasSdgValue(c, 'SupportedValue'),
  ),
  each(
    'R-EDM-REQ-C024',
    'error',
    "The 'returnType' attribute of 'ResponseOption' MUST be the fixed value \"LeafClassWithRepositoryItem\".",
    (v) => v.responseOptions,
    (el) => attr(el, 'returnType') === 'LeafClassWithRepositoryItem',
  ),
  each(
    'R-EDM-REQ-C025',
    'error',
    "The 'queryDefinition' attribute of 'Query' MUST be the fixed value \"DocumentQuery\".",
    (v) => v.queries,
    (el) => attr(el, 'queryDefinition') === 'DocumentQuery',
  ),
  each(
    'R-EDM-REQ-C026',
    'error',
    "The value of 'Identifier' of an 'DataServiceEvidenceType' MUST be unique UUID (RFC 4122) retrieved from the Data Service Directory.",
    (v) => sdgKids(evidenceTypes(v), 'Identifier'),
    (el) => endsWithUuid(text(el)),
  ),
  each(
    'R-EDM-REQ-C027',
    'error',
    "The value of 'EvidenceTypeClassification' of a 'DataServiceEvidenceType' MUST be a UUID retrieved from the Evidence Broker and include a code of the code list 'CountryIdentificationCode' (ISO 3166-1' alpha-2 codes) using the prefix and scheme 'https://sr.oots.tech.europa.eu/evidencetypeclassifications/[CountryIdentificationCode]/[UUID]' pointing to the Semantic Repository.",
    (v) => sdgKids(evidenceTypes(v), 'EvidenceTypeClassification'),
    (el) => srUri(el, ETC_PATH),
  ),
  each(
    'R-EDM-REQ-C028',
    'error',
    codeListText(
      'LanguageCode-2.3',
      "query:QueryRequest/query:Query/rim:Slot[@name='EvidenceRequest']/rim:SlotValue/sdg:DataServiceEvidenceType/sdg:Title/@lang",
    ),
    (v) => sdgKids(evidenceTypes(v), 'Title'),
    langInList,
  ),
  each('R-EDM-REQ-C029', 'error', LANG_PRESENT, (v) => sdgKids(evidenceTypes(v), 'Title'), langPresent),
  each(
    'R-EDM-REQ-C030',
    'error',
    codeListText(
      'LanguageCode-2.3',
      "query:QueryRequest/query:Query/rim:Slot[@name='EvidenceRequest']/rim:SlotValue/sdg:DataServiceEvidenceType/sdg:Description/@lang",
    ),
    (v) => sdgKids(evidenceTypes(v), 'Description'),
    langInList,
  ),
  each('R-EDM-REQ-C031', 'error', LANG_PRESENT, (v) => sdgKids(evidenceTypes(v), 'Description'), langPresent),
  each(
    'R-EDM-REQ-C033',
    'error',
    codeListText(
      'OOTSMediaTypes-CodeList',
      "query:QueryRequest/query:Query/rim:Slot[@name='EvidenceRequest']/rim:SlotValue/sdg:DataServiceEvidenceType/sdg:DistributedAs/sdg:Format",
    ),
    (v) => sdgKids(sdgKids(evidenceTypes(v), 'DistributedAs'), 'Format'),
    (el) => inList(OOTS_MEDIA_TYPES, stringValue(el)),
  ),
  each(
    'R-EDM-REQ-C034',
    'error',
    'The value of \'ConformsTo\' of the requested distribution MUST be a persistent URL with a link to a "DataModelScheme" of the Evidence Type retrieved by the DSD and described in the Semantic Repository which uses the prefix "https://sr.oots.tech.europa.eu/distributions/[DataModelScheme]".',
    (v) => sdgKids(sdgKids(evidenceTypes(v), 'DistributedAs'), 'ConformsTo'),
    (el) => srUri(el, DISTRIBUTION_PATH),
  ),
  each(
    'R-EDM-REQ-C035',
    'error',
    'The value of \'Transformation\' of the requested distribution MUST be a persistent URL with link to a "DataModelScheme" and "Subset" of the EvidenceType retrieved from the Data Service Directory, described in the Semantic Repository which uses the prefix "https://sr.oots.tech.europa.eu/distributions/[DataModelScheme]/[Subset]".',
    (v) => sdgKids(sdgKids(evidenceTypes(v), 'DistributedAs'), 'Transformation'),
    (el) => srUri(el, DISTRIBUTION_PATH),
  ),

  // NaturalPerson
  each(
    'R-EDM-REQ-C036',
    'error',
    "The Element 'LevelOfAssurance' must be provided (minOccurs=\"1)' in the EvidenceRequest when rim:Slot[@name='NaturalPerson'] is used.",
    (v) => subjects(v, 'NaturalPerson'),
    (p) => hasSdgValue(p, 'LevelOfAssurance'),
  ),
  each(
    'R-EDM-REQ-C037',
    'error',
    codeListText(
      'LevelsOfAssurance-CodeList',
      "query:QueryRequest/query:Query/rim:Slot[@name='NaturalPerson']/rim:SlotValue/sdg:Person/sdg:LevelOfAssurance",
    ),
    (v) => sdgKids(subjects(v, 'NaturalPerson'), 'LevelOfAssurance'),
    (el) => inList(LEVELS_OF_ASSURANCE, stringValue(el)),
  ),
  each(
    'R-EDM-REQ-C038',
    'warning',
    "The value of a Person 'Identifier' SHOULD be provided.",
    (v) => subjects(v, 'NaturalPerson'),
    (p) => hasSdgValue(p, 'Identifier'),
  ),
  each(
    'R-EDM-REQ-C039',
    'error',
    EIDAS_FORMAT,
    (v) => sdgKids(subjects(v, 'NaturalPerson'), 'Identifier'),
    (el) => isEidasIdentifier(text(el)),
  ),
  each(
    'R-EDM-REQ-C041',
    'error',
    SCHEME_PRESENT,
    (v) => sdgKids(subjects(v, 'NaturalPerson'), 'Identifier'),
    schemePresent,
  ),
  each(
    'R-EDM-REQ-C042',
    'error',
    "The 'schemeID' attribute of the 'Identifier' MUST have the fixed value 'eidas'.",
    (v) => sdgKids(subjects(v, 'NaturalPerson'), 'Identifier'),
    (el) => attr(el, 'schemeID') === 'eidas',
  ),
  each(
    'R-EDM-REQ-C043',
    'error',
    DOB_FORMAT,
    (v) => sdgKids(subjects(v, 'NaturalPerson'), 'DateOfBirth'),
    (el) => isXsdDate(text(el)),
  ),
  each(
    'R-EDM-REQ-C045',
    'warning',
    codeListText(
      'CountryIdentificationCode-2.3',
      "query:QueryRequest/query:Query/rim:Slot[@name='NaturalPerson']/rim:SlotValue/sdg:Person/sdg:CurrentAddress/sdg:AdminUnitLevel1",
    ),
    (v) => addressCountries(subjects(v, 'NaturalPerson'), 'CurrentAddress'),
    (el) => inList(COUNTRY_CODES, stringValue(el)),
  ),

  // LegalPerson
  each(
    'R-EDM-REQ-C047',
    'error',
    "The Element 'LevelOfAssurance' must be provided (minOccurs=\"1)' in the EvidenceRequest when rim:Slot[@name='LegalPerson'] is used.",
    (v) => subjects(v, 'LegalPerson'),
    (p) => hasSdgValue(p, 'LevelOfAssurance'),
  ),
  each(
    'R-EDM-REQ-C048',
    'error',
    codeListText(
      'LevelsOfAssurance-CodeList',
      "query:QueryRequest/query:Query/rim:Slot[@name='LegalPerson']/rim:SlotValue/sdg:LegalPerson/sdg:LevelOfAssurance",
    ),
    (v) => sdgKids(subjects(v, 'LegalPerson'), 'LevelOfAssurance'),
    (el) => inList(LEVELS_OF_ASSURANCE, stringValue(el)),
  ),
  each(
    'R-EDM-REQ-C049',
    'warning',
    "The value of a Legal Person 'LegalPersonIdentifier' SHOULD be provided.",
    (v) => subjects(v, 'LegalPerson'),
    (p) => hasSdgValue(p, 'LegalPersonIdentifier'),
  ),
  each(
    'R-EDM-REQ-C050',
    'error',
    "The value of a 'LegalPersonIdentifier' MUST have the format XX/YY/ZZZZZZZZZ where XX is the Nationality Code of the identifier and YY is the Nationality Code of the destination country and ZZZZZZZZZ is an undefined combination of characters which uniquely identifies the identity asserted in the country of origin. Example: ES/AT/02635542Y",
    (v) => sdgKids(subjects(v, 'LegalPerson'), 'LegalPersonIdentifier'),
    (el) => isEidasIdentifier(text(el)),
  ),
  each(
    'R-EDM-REQ-C052',
    'error',
    "The 'schemeID' attribute of 'LegalPersonIdentifier' MUST be present.",
    (v) => sdgKids(subjects(v, 'LegalPerson'), 'LegalPersonIdentifier'),
    schemePresent,
  ),
  each(
    'R-EDM-REQ-C053',
    'error',
    "The 'schemeID' attribute of the 'LegalPersonIdentifier' MUST have the fixed value 'eidas'.",
    (v) => sdgKids(subjects(v, 'LegalPerson'), 'LegalPersonIdentifier'),
    (el) => attr(el, 'schemeID') === 'eidas',
  ),
  each(
    'R-EDM-REQ-C054',
    'error',
    SCHEME_PRESENT,
    (v) => sdgKids(subjects(v, 'LegalPerson'), 'Identifier'),
    schemePresent,
  ),
  each(
    'R-EDM-REQ-C056',
    'warning',
    codeListText(
      'CountryIdentificationCode-2.3',
      "query:QueryRequest/query:Query/rim:Slot[@name='LegalPerson']/rim:SlotValue/sdg:LegalPerson/sdg:RegisteredAddress/sdg:AdminUnitLevel1",
    ),
    (v) => addressCountries(subjects(v, 'LegalPerson'), 'RegisteredAddress'),
    (el) => inList(COUNTRY_CODES, stringValue(el)),
  ),

  // AuthorizedRepresentative
  each(
    'R-EDM-REQ-C058',
    'error',
    "The Element 'LevelOfAssurance' must be provided (minOccurs=\"1)' in the EvidenceRequest when rim:Slot[@name='AuthorizedRepresentative'] is used.",
    (v) => subjects(v, AR),
    (p) => hasSdgValue(p, 'LevelOfAssurance'),
  ),
  each(
    'R-EDM-REQ-C059',
    'error',
    codeListText(
      'LevelsOfAssurance-CodeList',
      "query:QueryRequest/query:Query/rim:Slot[@name='AuthorizedRepresentative']/rim:SlotValue/sdg:Person/sdg:LevelOfAssurance",
    ),
    (v) => sdgKids(subjects(v, AR), 'LevelOfAssurance'),
    (el) => inList(LEVELS_OF_ASSURANCE, stringValue(el)),
  ),
  each(
    'R-EDM-REQ-C060',
    'warning',
    "The value of a Person 'Identifier' SHOULD be provided.",
    (v) => subjects(v, AR),
    (p) => hasKid(p, NS.sdg, 'Identifier'),
  ),
  each(
    'R-EDM-REQ-C061',
    'error',
    EIDAS_FORMAT,
    (v) => sdgKids(subjects(v, AR), 'Identifier'),
    (el) => isEidasIdentifier(text(el)),
  ),
  each('R-EDM-REQ-C062', 'error', SCHEME_PRESENT, (v) => sdgKids(subjects(v, AR), 'Identifier'), schemePresent),
  each(
    'R-EDM-REQ-C063',
    'error',
    "The 'schemeID' attribute of the 'Identifier' MUST have the fixed value 'eidas'.",
    (v) => sdgKids(subjects(v, AR), 'Identifier'),
    (el) => attr(el, 'schemeID') === 'eidas',
  ),
  each(
    'R-EDM-REQ-C064',
    'error',
    DOB_FORMAT,
    (v) => sdgKids(subjects(v, AR), 'DateOfBirth'),
    (el) => isXsdDate(text(el)),
  ),
  each(
    'R-EDM-REQ-C067',
    'warning',
    codeListText(
      'CountryIdentificationCode-2.3',
      "query:QueryRequest/query:Query/rim:Slot[@name='AuthorizedRepresentative']/rim:SlotValue/sdg:Person/sdg:CurrentAddress/sdg:AdminUnitLevel1",
    ),
    (v) => addressCountries(subjects(v, AR), 'CurrentAddress'),
    (el) => inList(COUNTRY_CODES, stringValue(el)),
  ),

  // Procedure (code list asserts on attributes)
  requestRule(
    'R-EDM-REQ-C003',
    'error',
    codeListText(
      'Procedures-CodeList',
      "query:QueryRequest/rim:Slot[@name='Procedure']/rim:SlotValue/rim:Value/rim:LocalizedString/@value",
    ),
    (ctx, view) => {
      const known = proceduresFor(ctx.version);
      for (const { at, code } of procedureCodes(view, ctx.version)) if (!known(code)) ctx.report(at);
    },
  ),
  each(
    'R-EDM-REQ-C004',
    'error',
    codeListText(
      'LanguageCode-2.3',
      "query:QueryRequest/rim:Slot[@name='Procedure']/rim:SlotValue/rim:Value/rim:LocalizedString/@xml:lang",
    ),
    (v) => kids2(procedureValues(v), NS.rim, 'LocalizedString'),
    (el) => {
      const lang = attr(el, 'lang', NS.xml);
      return lang === undefined || inLanguageList(LANGUAGE_CODES, lang);
    },
  ),
];
