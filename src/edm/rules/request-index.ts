/**
 * All QueryRequest business rules, by official ID, and the list of places where we deliberately
 * differ from the official v1.0 Schematron (every other rule means what its XPath test means).
 */
import type { Rule } from './engine.js';
import { REQUEST_CONTENT_RULES } from './request-content.js';
import { REQUEST_STRUCTURE_RULES } from './request-structure.js';
import { REQUEST_VERSION_RULES } from './request-versions.js';

/** Structure (EDM-REQ-S), content (EDM-REQ-C) and version-dependent rules, for `runRules(..., 'QueryRequest', ...)`. */
export const REQUEST_RULES: readonly Rule[] = [
  ...REQUEST_STRUCTURE_RULES,
  ...REQUEST_CONTENT_RULES,
  ...REQUEST_VERSION_RULES,
];

const XSI_TYPE =
  "The xsi:type QName is resolved against the element's namespace scope and must name the rim namespace; the official test compares only the text after ':' (any prefix, even an unbound or foreign one, passes; an unprefixed type fails).";
const TYPED_RULES = [
  'R-EDM-REQ-S020',
  'R-EDM-REQ-S021',
  'R-EDM-REQ-S023',
  'R-EDM-REQ-S024',
  'R-EDM-REQ-S025',
  'R-EDM-REQ-S026',
  'R-EDM-REQ-S027',
  'R-EDM-REQ-S028',
  'R-EDM-REQ-S029',
  'R-EDM-REQ-S030',
  'R-EDM-REQ-S031',
  'R-EDM-REQ-S032',
  'R-EDM-REQ-S033',
  'R-EDM-REQ-S034',
  'R-EDM-REQ-S035',
  'R-EDM-REQ-S036',
] as const;

const CODE_LIST =
  'Exact membership of the trimmed value in the code list; the official test is contains(<concatenated list>, value), which accepts any fragment of the list (e.g. "Sub" for LevelOfAssurance).';
const LANGUAGE =
  'Exact membership in LanguageCode-2.3, compared case-insensitively (xml:lang is case-insensitive; the official samples\' own comments say "default value en"); the official contains() test is case-sensitive and accepts fragments.';
const SR_HOST =
  'Accepts both SR hosts, https://sr.oots.tech.europa.eu/ (snapshot) and https://sr.oots.tech.ec.europa.eu/ (final releases)';
const WARNING_PER_BR =
  'Severity warning, as in the business-rules sheet v0.83 (the Schematron assert carries no role, hence error).';

/** Rule ID → why our rule deliberately differs from the official v1.0 Schematron assert. */
export const REQUEST_RULE_DEVIATIONS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(TYPED_RULES.map((id) => [id, XSI_TYPE])),
  'R-EDM-REQ-S004':
    'The urn:uuid: prefix is anchored at the start (the official regex has no ^, so any prefix passes).',
  'R-EDM-REQ-S022': `${XSI_TYPE} In v2.0 the type is rim:StringValueType (Procedure became a plain string).`,
  'R-EDM-REQ-S019': 'In v2.0 the slots ReturnLocation and AuthorizedRepresentativeLegalPerson are also allowed.',
  'R-EDM-REQ-S045':
    'The official test is always true (`... and count(sdg:Title)=1 or 2`); we check what its text says: no children other than Identifier, EvidenceTypeClassification, Title, Description, DistributedAs.',
  'R-EDM-REQ-C001':
    'Accepts every EDM version the adapter serves (oots-edm:v1.0, v1.1, v1.2, v2.0), whitespace-trimmed; the snapshot fixes "oots-edm:v1.0" exactly, which would reject a v1.2 request for saying v1.2.',
  'R-EDM-REQ-C002':
    'Full xsd:dateTime lexical form, anchored, with a valid day of month; the official regex only looks for YYYY-MM-DDThh:mm:ss anywhere in the value.',
  'R-EDM-REQ-C003': `${CODE_LIST} Also accepts procedure "00" (TDD 1.1.2) in every version, and V5, X7, X9, AM1 (TDD 1.2.5) from v1.2; in v2.0 the code is the rim:Value text.`,
  'R-EDM-REQ-C004': LANGUAGE,
  'R-EDM-REQ-C008': `Applied to the real slot "Requirements" (the official context names a slot "Requirement", so it never fires). ${SR_HOST}, and the path requirements/<uuid> with or without "urn:uuid:" (the snapshot demands requirements/urn:uuid:<uuid>; every sample uses the bare UUID); UUID hex in either case.`,
  'R-EDM-REQ-C009': `Applied to the real slot "Requirements" (the official context "Requirement" never matches). ${LANGUAGE}`,
  'R-EDM-REQ-C012':
    'An absent schemeID is left to C010 (the official test passes it too); otherwise schemeID must be urn:cef.eu:names:identifier:EAS:<code in EAS> or start with the unregistered party-id prefix. Exact membership, not contains().',
  'R-EDM-REQ-C014': CODE_LIST,
  'R-EDM-REQ-C015': CODE_LIST,
  'R-EDM-REQ-C018': 'Same as R-EDM-REQ-C012, for the EvidenceProvider agent.',
  'R-EDM-REQ-C021': LANGUAGE,
  'R-EDM-REQ-C027': `${SR_HOST}; the URI must start with the host (the official regex is not anchored at the start).`,
  'R-EDM-REQ-C028': LANGUAGE,
  'R-EDM-REQ-C030': LANGUAGE,
  'R-EDM-REQ-C032': 'v2.0 requires at least one DistributedAs instead of at most one (2.0.1).',
  'R-EDM-REQ-C033': CODE_LIST,
  'R-EDM-REQ-C034': `${SR_HOST}, with the path prefix distributions/ (v1.0) or datamodels/ (v1.2 and later).`,
  'R-EDM-REQ-C035': `${SR_HOST}, with the path prefix distributions/ (v1.0) or datamodels/ (v1.2 and later).`,
  'R-EDM-REQ-C037': CODE_LIST,
  'R-EDM-REQ-C043':
    'Full xsd:date lexical form, anchored, valid day of month; the official regex looks for YYYY-MM-DD anywhere.',
  'R-EDM-REQ-C045': `${CODE_LIST} ${WARNING_PER_BR}`,
  'R-EDM-REQ-C048': CODE_LIST,
  'R-EDM-REQ-C049': WARNING_PER_BR,
  'R-EDM-REQ-C056': `${CODE_LIST} ${WARNING_PER_BR}`,
  'R-EDM-REQ-C059': CODE_LIST,
  'R-EDM-REQ-C060': WARNING_PER_BR,
  'R-EDM-REQ-C064':
    'Full xsd:date lexical form, anchored, valid day of month; the official regex looks for YYYY-MM-DD anywhere.',
  'R-EDM-REQ-C067': `${CODE_LIST} ${WARNING_PER_BR}`,
};
