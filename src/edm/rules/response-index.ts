/**
 * The QueryResponse rule set (kind `QueryResponse`): every assert of the official EDM-RESP-S and
 * EDM-RESP-C Schematron (v1.0 snapshot) by ID, plus the rules later releases add.
 */
import type { Rule } from './engine.js';
import { RESPONSE_CONTENT_RULES } from './response-content.js';
import { RESPONSE_STRUCTURE_RULES } from './response-structure.js';
import { RESPONSE_VERSION_RULES } from './response-versions.js';

export const RESPONSE_RULES: readonly Rule[] = [
  ...RESPONSE_STRUCTURE_RULES,
  ...RESPONSE_CONTENT_RULES,
  ...RESPONSE_VERSION_RULES,
];

const EAS_ABSENT =
  'an Identifier without schemeID is left to the presence rule (C006/C012/C038); the official assert fails it as well (empty suffix)';

const SR_HOSTS =
  'the snapshot accepts only https://sr.oots.tech.europa.eu; the final host https://sr.oots.tech.ec.europa.eu is accepted too';

/**
 * Where our rule deliberately differs from the official v1.0 snapshot assert of the same ID, and
 * why. Everything else agrees with the official Schematron on the official samples (tested).
 */
export const RESPONSE_RULE_DEVIATIONS: Readonly<Record<string, string>> = {
  'R-EDM-RESP-S016':
    'official test `A and B and C and D and E or F` (operator precedence) never looks at other slots; we report every top-level rim:Slot not in the allowed list',
  'R-EDM-RESP-S034':
    'official context misspells rim:RespositoryItemRef and never fires; we check the real rim:RepositoryItemRef',
  'R-EDM-RESP-S035':
    'official context misspells rim:RespositoryItemRef and never fires; we check the real rim:RepositoryItemRef',
  'R-EDM-REQ-S021':
    'published inside EDM-RESP-S with a query:QueryRequest context (never matches a response); we apply it to the response EvidenceProvider rim:Element',
  'R-EDM-RESP-S025':
    'same rule context as R-EDM-REQ-S021 (query:QueryRequest): applied to the response EvidenceProvider rim:Element',
  'R-EDM-RESP-S026':
    'official context omits rim:Element (the agent sits in SlotValue/rim:Element), so it never matches; the test (Identifier, Name, Address, Classification present) is applied to the real agent',
  'R-EDM-RESP-S030':
    'official context looks for EvidenceMetadata at the top level, never present; the test is applied to sdg:Evidence/sdg:IsConformantTo (Description not required in v2.0)',
  'R-EDM-RESP-S006': 'an absent status is reported once, by S005 (the official S006 fails it too)',
  'R-EDM-RESP-C011': 'an empty Classification is reported once, by C010 (the official C011 fails it too)',
  'R-EDM-RESP-C031': 'an absent schemeID is reported once, by C030 (the official C031 fails it too)',
  'R-EDM-RESP-C034':
    'official context names sdg:LegalIdentifier, absent from the XSD; applied to sdg:LegalPersonIdentifier',
  'R-EDM-RESP-C036':
    'official context names sdg:LegalIdentifier, absent from the XSD; applied to sdg:LegalPersonIdentifier',
  'R-EDM-RESP-C037':
    'official context names sdg:LegalIdentifier, absent from the XSD; applied to sdg:LegalPersonIdentifier; an absent schemeID is reported once, by C036',
  'R-EDM-RESP-C042':
    'official regex ^cid:[a-z0-9]*@[a-z0-9]* refuses UUID Content-IDs (hyphens) used by the v1.2/v2.0 reference messages; we accept any cid:local@domain and leave a missing href to S034',
  'R-EDM-RESP-C044a':
    "official matches(Format,'xml') also catches image/svg+xml; we compare the code application/xml whole",
  'R-EDM-RESP-C044b':
    "official matches(Format,'json') would catch any format containing 'json'; we compare the code application/json whole",
  'R-EDM-RESP-C017': SR_HOSTS,
  'R-EDM-RESP-C022': `${SR_HOSTS}; and both the /distributions/ and the /datamodels/ paths, in every version (as R-EDM-REQ-C034 does)`,
  'R-EDM-RESP-C043': SR_HOSTS,
  'R-EDM-RESP-C007': EAS_ABSENT,
  'R-EDM-RESP-C013': EAS_ABSENT,
  'R-EDM-RESP-C039': EAS_ABSENT,
  'R-EDM-RESP-C023':
    "the generated list holds '\\timage/svg+xml' (a tab copied from the genericode), so the official assert refuses image/svg+xml; we accept it",
};
