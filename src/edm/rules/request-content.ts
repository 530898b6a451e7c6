/**
 * QueryRequest content rules: every assert of the official `EDM-REQ-C.sch` (v1.0 snapshot), by ID,
 * including its generated code-list asserts, with the meaning of the XPath test. Code lists are
 * tested by exact membership (the official tests use `contains()` on a concatenated list, which
 * accepts fragments). Departures are listed in `REQUEST_RULE_DEVIATIONS` (request-index.ts).
 * C001 and C032, whose meaning changed between versions, live in request-versions.ts; the rules
 * about the subject (C036 onwards) in request-content-subjects.ts; what they share in
 * request-content-common.ts.
 */
import { AGENT_CLASSIFICATIONS, COUNTRY_CODES, LANGUAGE_CODES, OOTS_MEDIA_TYPES } from '../codelists.js';
import { NS } from '../xml/namespaces.js';
import { attr } from '../xml/tree.js';
import {
  endsWithUuid,
  hasSdgValue,
  inLanguageList,
  inList,
  isUuid,
  isXsdDateTime,
  kids,
  normalizeSpace,
  requestRule,
  sdgKids,
  slotValues,
  slotsNamed,
  srPath,
  stringValue,
} from './common.js';
import {
  DISTRIBUTION_PATH,
  EAS_TEXT,
  ETC_PATH,
  LANG_PRESENT,
  REQUIREMENT_PATH,
  SCHEME_PRESENT,
  addressCountries,
  classifications,
  codeListText,
  each,
  easSchemeOk,
  evidenceTypes,
  kids2,
  langInList,
  langPresent,
  procedureCodes,
  procedureValues,
  proceduresFor,
  providerAgents,
  requesterAgents,
  requirements,
  schemePresent,
  srUri,
  text,
} from './request-content-common.js';
import type { Rule } from './engine.js';

import { REQUEST_SUBJECT_RULES } from './request-content-subjects.js';

/** The request, its agents and the evidence it asks for. */
const REQUEST_RULES_ON_REQUEST: readonly Rule[] = [
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
];

/** The procedure (code-list asserts on attributes). */
const PROCEDURE_RULES: readonly Rule[] = [
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

/** Every content rule, in the order of the official Schematron. */
export const REQUEST_CONTENT_RULES: readonly Rule[] = [
  ...REQUEST_RULES_ON_REQUEST,
  ...REQUEST_SUBJECT_RULES,
  ...PROCEDURE_RULES,
];
