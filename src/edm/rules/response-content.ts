/**
 * EDM-RESP-C: content rules of a `query:QueryResponse`, one per assert of the official
 * `EDM-RESP-C.sch` (v1.0 snapshot) including its generated code-list asserts, by ID. Code lists
 * are tested by whole-value membership, as the generated asserts do (their lists are delimited by
 * U+007F); SR URLs are accepted under both hosts. Deviations: `RESPONSE_RULE_DEVIATIONS`.
 */
import { AGENT_CLASSIFICATIONS, COUNTRY_CODES, EAS_CODES, LANGUAGE_CODES, OOTS_MEDIA_TYPES } from '../codelists.js';
import { EDM_VERSIONS } from '../model.js';
import { NS } from '../xml/namespaces.js';
import type { XmlElement } from '../xml/tree.js';
import type { Rule, RuleContext } from './engine.js';
import { providerAgents, requesterAgents } from './response-structure.js';
import {
  attr,
  DATE_SHAPE,
  DATE_TIME_SHAPE,
  each,
  EVIDENCE_TYPE_CLASSIFICATION,
  inList,
  isEasScheme,
  kid,
  kids,
  norm,
  sdg,
  UUID_END,
  valuesOfSlots,
  viewRule,
  type ResponseView,
} from './response-tree.js';
import { DATA_MODEL_URL } from './response-versions.js';

const r = (
  id: string,
  description: string,
  check: (v: ResponseView, ctx: RuleContext) => void,
  severity?: 'warning',
): Rule => viewRule('QueryResponse', id, description, check, severity === undefined ? {} : { severity });

/** `sdg:Evidence/step1/step2/…` from every evidence of the response. */
function evidencePath(v: ResponseView, ctx: RuleContext, ...steps: string[]): XmlElement[] {
  return v.memo(`evidence/${ctx.version ?? ''}/${steps.join('/')}`, () => walk(v, ctx, steps));
}

function walk(v: ResponseView, ctx: RuleContext, steps: string[]): XmlElement[] {
  let cur: XmlElement[] = v.evidences(ctx.version).map((e) => e.evidence);
  for (const s of steps) {
    const next: XmlElement[] = [];
    for (const el of cur) next.push(...sdg(el, s));
    cur = next;
  }
  return cur;
}

/** `rim:Value`s of the top-level slot `name`. */
function topValues(v: ResponseView, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const sv of valuesOfSlots(v.slotsNamed(name))) out.push(...kids(sv, NS.rim, 'Value'));
  return out;
}

const hasScheme = (el: XmlElement): boolean => attr(el, 'schemeID') !== undefined;
const textMatches = (re: RegExp) => (el: XmlElement) => re.test(norm(el.text));
const SCHEME_EAS =
  "The value of the 'schemeID' attribute of the 'Identifier' MUST be part of the code list 'EAS' (Electronic Address Scheme ) and use the prefix 'urn:cef.eu:names:identifier:EAS:[Code]' or start with the following value 'urn:oasis:names:tc:ebcore:partyid-type:unregistered'";

function easRule(id: string, identifiers: (v: ResponseView, ctx: RuleContext) => XmlElement[]): Rule {
  return r(id, SCHEME_EAS, (v, ctx) =>
    each(ctx, identifiers(v, ctx), (el) => {
      const scheme = attr(el, 'schemeID');
      return scheme === undefined || isEasScheme(scheme, EAS_CODES);
    }),
  );
}

function agentIdentifiers(agents: XmlElement[]): XmlElement[] {
  const out: XmlElement[] = [];
  for (const a of agents) out.push(...sdg(a, 'Identifier'));
  return out;
}

const SPEC_VALUES: ReadonlySet<string> = new Set(EDM_VERSIONS);

export const RESPONSE_CONTENT_RULES: readonly Rule[] = [
  // The v1.0 file fixes `oots-edm:v1.0`; each release fixes its own, so any version we serve is accepted.
  r(
    'R-EDM-RESP-C002',
    "The 'rim:Value' of the 'SpecificationIdentifier' MUST be the fixed value \"oots-edm:v1.0\".",
    (v, ctx) =>
      each(ctx, valuesOfSlots(v.slotsNamed('SpecificationIdentifier')), (sv) =>
        kids(sv, NS.rim, 'Value').some((x) => SPEC_VALUES.has(x.text)),
      ),
  ),
  r(
    'R-EDM-RESP-C003',
    "The 'rim:Value' of the 'EvidenceResponseIdentifier' MUST be unique UUID (RFC 4122)\"",
    (v, ctx) => each(ctx, topValues(v, 'EvidenceResponseIdentifier'), textMatches(UUID_END)),
  ),
  r('R-EDM-RESP-C004', "The 'rim:Value' of 'IssueDateTime' MUST be according to xsd:dateTime.", (v, ctx) =>
    each(ctx, topValues(v, 'IssueDateTime'), textMatches(DATE_TIME_SHAPE)),
  ),
  r('R-EDM-RESP-C005', "The 'rim:Value' of 'ResponseAvailableDateTime' MUST be according to xsd:dateTime.", (v, ctx) =>
    each(ctx, topValues(v, 'ResponseAvailableDateTime'), textMatches(DATE_TIME_SHAPE)),
  ),
  r('R-EDM-RESP-C006', "The 'schemeID' attribute of 'Identifier' MUST be present.", (v, ctx) =>
    each(ctx, agentIdentifiers(providerAgents(v)), hasScheme),
  ),
  r('R-EDM-RESP-C010', "The value for 'Agent/Classification' MUST be provided.", (v, ctx) =>
    each(ctx, providerAgents(v), (a) => norm(kid(a, NS.sdg, 'Classification')?.text ?? '') !== ''),
  ),
  r('R-EDM-RESP-C012', "The 'schemeID' attribute of 'Identifier' MUST be present.", (v, ctx) =>
    each(ctx, agentIdentifiers(requesterAgents(v)), hasScheme),
  ),
  r('R-EDM-RESP-C015', "The value of 'Identifier' of MUST be unique UUID (RFC 4122).", (v, ctx) =>
    each(ctx, evidencePath(v, ctx, 'Identifier'), textMatches(UUID_END)),
  ),
  r('R-EDM-RESP-C016', "The value of 'IssuingDate' of an 'Evidence' MUST be be according to xsd:date.", (v, ctx) =>
    each(ctx, evidencePath(v, ctx, 'IssuingDate'), textMatches(DATE_SHAPE)),
  ),
  r(
    'R-EDM-RESP-C017',
    "The value of 'EvidenceTypeClassification' of 'IsConformantTo' MUST be a UUID desribed in the Evidence Broker and include a code of the code list 'CountryIdentificationCode' (ISO 3166-1' alpha-2 codes) using the prefix and scheme 'https://sr.oots.tech.europa.eu/evidencetypeclassifications/[CountryIdentificationCode]/[UUID]' pointing to the Semantic Repository.",
    (v, ctx) =>
      each(
        ctx,
        evidencePath(v, ctx, 'IsConformantTo', 'EvidenceTypeClassification'),
        textMatches(EVIDENCE_TYPE_CLASSIFICATION),
      ),
  ),
  r('R-EDM-RESP-C019', "The value of 'lang' attribute MUST be be provided. Default value: 'EN'.", (v, ctx) =>
    each(ctx, evidencePath(v, ctx, 'IsConformantTo', 'Title'), (t) => attr(t, 'lang') !== undefined),
  ),
  r('R-EDM-RESP-C021', "The value of 'lang' attribute MUST be be provided. Default value: 'EN'.", (v, ctx) =>
    each(ctx, evidencePath(v, ctx, 'IsConformantTo', 'Description'), (t) => attr(t, 'lang') !== undefined),
  ),
  r(
    'R-EDM-RESP-C022',
    'The value of \'ConformsTo\' of the requested distribution MUST be a persistent URL with a link to a "DataModelScheme" of the Evidence Type described in the Semantic Repository which uses the prefix "https://sr.oots.tech.europa.eu/distributions/[DataModelScheme]".',
    (v, ctx) => each(ctx, evidencePath(v, ctx, 'Distribution', 'ConformsTo'), textMatches(DATA_MODEL_URL)),
  ),
  r(
    'R-EDM-RESP-C027',
    "The value of a Person 'Identifier' SHOULD be provided.",
    (v, ctx) =>
      each(
        ctx,
        evidencePath(v, ctx, 'IsAbout', 'NaturalPerson'),
        (p) => norm(kid(p, NS.sdg, 'Identifier')?.text ?? '') !== '',
      ),
    'warning',
  ),
  r(
    'R-EDM-RESP-C028',
    "The value of a Person 'Identifier' MUST have the format XX/YY/ZZZZZZZZZ where XX is the Nationality Code of the identifier and YY is the Nationality Code of the destination country and ZZZZZZZZZ is an undefined combination of characters which uniquely identifies the identity asserted in the country of origin. Example: ES/AT/02635542Y",
    (v, ctx) =>
      each(
        ctx,
        evidencePath(v, ctx, 'IsAbout', 'NaturalPerson', 'Identifier'),
        textMatches(/[a-z]{2}\/[a-z]{2}\/[a-z0-9]{9}/i),
      ),
  ),
  r('R-EDM-RESP-C030', "The 'schemeID' attribute of 'Identifier' MUST be present.", (v, ctx) =>
    each(ctx, evidencePath(v, ctx, 'IsAbout', 'NaturalPerson', 'Identifier'), hasScheme),
  ),
  r('R-EDM-RESP-C031', "The 'schemeID' attribute of the 'Identifier' MUST have the fixed value 'eidas'.", (v, ctx) =>
    each(ctx, evidencePath(v, ctx, 'IsAbout', 'NaturalPerson', 'Identifier'), (i) =>
      [undefined, 'eidas'].includes(attr(i, 'schemeID')),
    ),
  ),
  r(
    'R-EDM-RESP-C032',
    "The value of 'DateOfBirth' MUST use the following format YYYY + “-“ + MM + “-“ + DD (as defined for xsd:date)",
    (v, ctx) => each(ctx, evidencePath(v, ctx, 'IsAbout', 'NaturalPerson', 'DateOfBirth'), textMatches(DATE_SHAPE)),
  ),
  r('R-EDM-RESP-C033', "The value of a Legal Person 'LegalPersonIdentifier' SHOULD be provided.", (v, ctx) =>
    each(
      ctx,
      evidencePath(v, ctx, 'IsAbout', 'LegalPerson'),
      (p) => norm(kid(p, NS.sdg, 'LegalPersonIdentifier')?.text ?? '') !== '',
    ),
  ),
  // C034/C036/C037: the official context names `sdg:LegalIdentifier`, an element the XSD does not
  // have; they are applied to `sdg:LegalPersonIdentifier`, which is what they describe.
  r(
    'R-EDM-RESP-C034',
    "The value of a 'LegalIdentifier' MUST have the format XX/YY/ZZZZZZZ where XX is the Nationality Code of the identifier and YY is the Nationality Code of the destination country and ZZZZZZZ is an undefined combination of characters which uniquely identifies the identity asserted in the country of origin. Example: ES/AT/02635542Y",
    (v, ctx) =>
      each(
        ctx,
        evidencePath(v, ctx, 'IsAbout', 'LegalPerson', 'LegalPersonIdentifier'),
        textMatches(/[a-z]{2}\/[a-z]{2}\/[a-z0-9]{9}/i),
      ),
  ),
  r('R-EDM-RESP-C036', "The 'schemeID' attribute of 'LegalIdentifier' MUST be present.", (v, ctx) =>
    each(ctx, evidencePath(v, ctx, 'IsAbout', 'LegalPerson', 'LegalPersonIdentifier'), hasScheme),
  ),
  r(
    'R-EDM-RESP-C037',
    "The 'schemeID' attribute of the 'LegalIdentifier' MUST have the fixed value 'eidas'.",
    (v, ctx) =>
      each(ctx, evidencePath(v, ctx, 'IsAbout', 'LegalPerson', 'LegalPersonIdentifier'), (i) =>
        [undefined, 'eidas'].includes(attr(i, 'schemeID')),
      ),
  ),
  r('R-EDM-RESP-C038', "The 'schemeID' attribute of 'Identifier' MUST be present.", (v, ctx) =>
    each(ctx, evidencePath(v, ctx, 'IssuingAuthority', 'Identifier'), hasScheme),
  ),
  r('R-EDM-RESP-C040', "The value of 'StartDate' of an 'ValidityPeriod' MUST be be according to xsd:date.", (v, ctx) =>
    each(ctx, evidencePath(v, ctx, 'ValidityPeriod', 'StartDate'), textMatches(DATE_SHAPE)),
  ),
  r('R-EDM-RESP-C041', "The value of 'EndDate' of an 'ValidityPeriod' MUST be be according to xsd:date.", (v, ctx) =>
    each(ctx, evidencePath(v, ctx, 'ValidityPeriod', 'EndDate'), textMatches(DATE_SHAPE)),
  ),
  // The official `^cid:[a-z0-9]*@[a-z0-9]*` refuses the hyphen of a UUID Content-ID (used by the
  // v1.2 and v2.0 reference messages); any `cid:local@domain` is accepted. A missing href is S034's.
  r(
    'R-EDM-RESP-C042',
    'The value of the attribute "xlink:href" of "rim:RepositoryItemRef" MUST follow the URI scheme cid and start with the prefix \'cid:…@…\'',
    (v, ctx) => {
      for (const o of v.documentObjects(ctx.version)) {
        each(ctx, kids(o, NS.rim, 'RepositoryItemRef'), (ref) => {
          const href = attr(ref, 'href', NS.xlink);
          return href === undefined || /^cid:[^\s@]+@[^\s@]+$/.test(href);
        });
      }
    },
  ),
  r(
    'R-EDM-RESP-C043',
    'The value of \'Transformation\' of the requested distribution MUST be a persistent URL with link to a "DataModelScheme" and "Subset" of the EvidenceType described in the Semantic Repository which uses the prefix "https://sr.oots.tech.europa.eu/distributions/[DataModelScheme]/[Subset]".',
    (v, ctx) =>
      each(ctx, evidencePath(v, ctx, 'Distribution', 'Transformation'), textMatches(DATA_MODEL_URL)),
  ),
  // C044a/b: the official `matches(Format, 'xml')` also catches `image/svg+xml`; the codes are compared whole.
  r(
    'R-EDM-RESP-C044a',
    "The value of 'sdg:ConformsTo' of the distribution MUST be present if the 'sdg:DistributedAs/sdg:Format' uses the codes 'application/xml' or 'application/json' of the codelist 'OOTSMediaTypes'.",
    (v, ctx) =>
      each(
        ctx,
        evidencePath(v, ctx, 'Distribution'),
        (d) => !(formatIs(d, 'application/xml') && kid(d, NS.sdg, 'ConformsTo') === undefined),
      ),
  ),
  r(
    'R-EDM-RESP-C044b',
    "The value of 'sdg:ConformsTo' of the distribution MUST be present if the 'sdg:DistributedAs/sdg:Format' uses the codes 'application/xml' or 'application/json' of the codelist 'OOTSMediaTypes'.",
    (v, ctx) =>
      each(
        ctx,
        evidencePath(v, ctx, 'Distribution'),
        (d) => !(formatIs(d, 'application/json') && kid(d, NS.sdg, 'ConformsTo') === undefined),
      ),
  ),
  easRule('R-EDM-RESP-C007', (v) => agentIdentifiers(providerAgents(v))),
  easRule('R-EDM-RESP-C013', (v) => agentIdentifiers(requesterAgents(v))),
  easRule('R-EDM-RESP-C039', (v, ctx) => evidencePath(v, ctx, 'IssuingAuthority', 'Identifier')),
  r(
    'R-EDM-RESP-C008',
    codeListText('CountryIdentificationCode-2.3', 'EvidenceProvider Agent/Address/AdminUnitLevel1'),
    (v, ctx) => {
      for (const a of providerAgents(v))
        for (const ad of sdg(a, 'Address'))
          for (const c of sdg(ad, 'AdminUnitLevel1'))
            inList(ctx, c, c.text, COUNTRY_CODES, 'CountryIdentificationCode-2.3');
    },
  ),
  r(
    'R-EDM-RESP-C011',
    codeListText('AgentClassification-CodeList', 'EvidenceProvider Agent/Classification'),
    (v, ctx) => {
      for (const a of providerAgents(v))
        for (const c of sdg(a, 'Classification'))
          if (norm(c.text) !== '') inList(ctx, c, c.text, AGENT_CLASSIFICATIONS, 'AgentClassification-CodeList');
    },
  ),
  r('R-EDM-RESP-C018', codeListText('LanguageCode-2.3', 'Evidence/IsConformantTo/Title/@lang'), (v, ctx) => {
    for (const t of evidencePath(v, ctx, 'IsConformantTo', 'Title'))
      inList(ctx, t, attr(t, 'lang'), LANGUAGE_CODES, 'LanguageCode-2.3');
  }),
  r('R-EDM-RESP-C020', codeListText('LanguageCode-2.3', 'Evidence/IsConformantTo/Description/@lang'), (v, ctx) => {
    for (const t of evidencePath(v, ctx, 'IsConformantTo', 'Description'))
      inList(ctx, t, attr(t, 'lang'), LANGUAGE_CODES, 'LanguageCode-2.3');
  }),
  r('R-EDM-RESP-C026', codeListText('LanguageCode-2.3', 'Evidence/Distribution/Language'), (v, ctx) => {
    for (const l of evidencePath(v, ctx, 'Distribution', 'Language'))
      inList(ctx, l, l.text, LANGUAGE_CODES, 'LanguageCode-2.3');
  }),
  r('R-EDM-RESP-C023', codeListText('OOTSMediaTypes-CodeList', 'Evidence/Distribution/Format'), (v, ctx) => {
    for (const f of evidencePath(v, ctx, 'Distribution', 'Format'))
      inList(ctx, f, f.text, OOTS_MEDIA_TYPES, 'OOTSMediaTypes-CodeList');
  }),
];

function formatIs(distribution: XmlElement, code: string): boolean {
  return sdg(distribution, 'Format').some((f) => norm(f.text) === code);
}

function codeListText(list: string, where: string): string {
  return `The value of ${where} MUST be part of the code list '${list}'.`;
}
