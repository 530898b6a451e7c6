/**
 * Catalogue of the official OOTS sample messages in ../shared/oots-edm (provenance in its
 * SOURCES.md), with what each one is. Expectations were read from the files themselves, not
 * computed by our code, so that tests over the catalogue can catch our readers being wrong.
 *
 * - SAMPLE_MESSAGES: every EDM message (QueryRequest, QueryResponse, error response).
 * - SAMPLE_HEADERS: the standalone ebMS `eb:Messaging` headers (for the ebMS readers).
 * - SAMPLE_ENVELOPES: Domibus WS-plugin SOAP envelopes (submit / retrieve).
 * - NON_EDM_SAMPLES: XML that is neither (evidence payloads, a PMode): must classify `unknown`.
 *
 * Left out: `v1.0/samples/syntax-mapping-snippets` (fragments with unbound prefixes).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { EdmVersion } from '../../src/edm/model.js';
import { EDM_ARTEFACTS } from './schematron.js';

export type SampleKind = 'QueryRequest' | 'QueryResponse' | 'ErrorResponse';
export type SampleSet =
  | 'evidence-exchange'
  | 'evidence-exchange-old'
  | 'projectathon-2023'
  | 'connectathon-1-drafts'
  | 'pyRegRep-tests'
  | 'oots-france-messages'
  | 'oots-france-incoming';

export interface SampleMessage {
  /** Short unique label for test titles and lookups. */
  readonly name: string;
  /** Relative to EDM_ARTEFACTS. */
  readonly path: string;
  readonly set: SampleSet;
  readonly kind: SampleKind;
  /**
   * What the message's own `SpecificationIdentifier` says; undefined where the file leaves the
   * slot out or elides its content (the oots-france `incoming/` payloads write `<!-- … -->`).
   */
  readonly version: EdmVersion | undefined;
  /** For messages that arrived in an ebMS envelope: the header's `SpecificationId` property. */
  readonly headerVersion?: EdmVersion;
  /**
   * The EDM message text: the file as stored, except that v1.2 pyRegRep files get `xsi:lang`
   * turned back into `xml:lang` (SOURCES.md), and `incoming/` envelopes yield their decoded
   * RegRep payload (the first `payload/value`).
   */
  readonly load: () => string;
}

export type EbmsAction = 'ExecuteQueryRequest' | 'ExecuteQueryResponse' | 'ExceptionResponse';

export interface SampleHeader {
  readonly name: string;
  readonly path: string;
  readonly action: EbmsAction;
  readonly conversationId: string;
  /** v2.0 headers only (`eb:Property name="SpecificationId"`). */
  readonly specificationId: EdmVersion | undefined;
  /** `name` of the message this header travelled with, when that message is in the catalogue. */
  readonly message: string | undefined;
  readonly load: () => string;
}

export interface SampleEnvelope {
  readonly name: string;
  readonly path: string;
  /** Local name of the Domibus WS-plugin body element (namespace `http://eu.domibus.wsplugin/`). */
  readonly operation:
    | 'submitRequest'
    | 'retrieveMessageResponse'
    | 'listPendingMessagesRequest'
    | 'retrieveMessageRequest'
    | 'listPendingMessagesResponse'
    | 'submitResponse';
  /** ebMS action in the envelope's header, when it has one. */
  readonly action: EbmsAction | undefined;
  readonly load: () => string;
}

export interface NonEdmSample {
  readonly name: string;
  readonly path: string;
  readonly load: () => string;
}

function read(relative: string): string {
  return readFileSync(path.join(EDM_ARTEFACTS, relative), 'utf8');
}

/** pyRegRep turned every `xml:lang` into `xsi:lang`; SOURCES.md says to restore it. */
function restoreXmlLang(text: string): string {
  return text.replaceAll('xsi:lang', 'xml:lang');
}

/** The first Domibus `payload/value` of an envelope, base64-decoded: the RegRep document. */
export function firstPayload(envelope: string): string {
  const m = /<payload\b[^>]*>\s*<value>([^<]*)<\/value>/.exec(envelope);
  if (m === null) throw new Error('envelope carries no payload value');
  return Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64').toString('utf8');
}

const E2 = 'v1.0/samples/evidence-exchange/2 Example for requesting a Birth Certificate - natural person';
const E3 = 'v1.0/samples/evidence-exchange/3 Example for requesting Secondary Education Completion Evidence';
const E4 = 'v1.0/samples/evidence-exchange/4 Example for requesting an Extract of a Commercial Register';
const PA = 'v1.0/samples/projectathon-2023';
const CA = 'v1.0/samples/connectathon-1-drafts';
const PY = 'v1.2/samples/pyRegRep-tests';
const FR = 'v2.0/samples/oots-france/messages';
const IN = 'v2.0/samples/oots-france/incoming';
const WS = 'v2.0/samples/oots-france/soap-domibus-wsplugin';
/** Envelopes captured on a real Domibus 5.2.1 (test/integration/domibus-captures.test.ts reads each). */
const CAP = 'v2.0/samples/oots-france/domibus-5.2.1-captured';
/** The oots-france regression messages, as Domibus hands them over (retrieveMessageResponse). */
const REG = 'v2.0/samples/oots-france/incoming-regression';

const V10: EdmVersion = 'oots-edm:v1.0';
const V12: EdmVersion = 'oots-edm:v1.2';
const V20: EdmVersion = 'oots-edm:v2.0';

function msg(
  name: string,
  set: SampleSet,
  file: string,
  kind: SampleKind,
  version: EdmVersion | undefined,
): SampleMessage {
  if (set === 'pyRegRep-tests') return { name, path: file, set, kind, version, load: () => restoreXmlLang(read(file)) };
  if (set === 'oots-france-incoming') {
    // Every incoming envelope's header says SpecificationId oots-edm:v2.0.
    return { name, path: file, set, kind, version, headerVersion: V20, load: () => firstPayload(read(file)) };
  }
  return { name, path: file, set, kind, version, load: () => read(file) };
}

function projectathon(name: string, kind: SampleKind): SampleMessage {
  return msg(name, 'projectathon-2023', `${PA}/${name}.xml`, kind, V10);
}

export const SAMPLE_MESSAGES: readonly SampleMessage[] = [
  // TDD 4.5.4 full examples and their older drafts ("Old samples").
  msg(
    'birth-request',
    'evidence-exchange',
    `${E2}/2.1 Step 1  Evidence Request - Birth - full example.xml`,
    'QueryRequest',
    V10,
  ),
  msg(
    'birth-response',
    'evidence-exchange',
    `${E2}/2.2 Step 2  Evidence Response - Birth - full example.xml`,
    'QueryResponse',
    V10,
  ),
  msg(
    'education-preview-error',
    'evidence-exchange',
    `${E3}/3.2 Step 2 Error Response - Education - full example.xml`,
    'ErrorResponse',
    V10,
  ),
  msg(
    'tax-request',
    'evidence-exchange',
    `${E4}/4.1 Step 1  Evidence Request  - Tax - full example.xml`,
    'QueryRequest',
    V10,
  ),
  msg(
    'tax-response',
    'evidence-exchange',
    `${E4}/4.2 Step 2  Evidence Response - Tax - full example.xml`,
    'QueryResponse',
    V10,
  ),
  msg(
    'old-birth-request',
    'evidence-exchange-old',
    `${E2}/Old samples/2.1 Step 1  Evidence Request - Birth.xml`,
    'QueryRequest',
    V10,
  ),
  msg(
    'old-birth-response',
    'evidence-exchange-old',
    `${E2}/Old samples/2.2 Step 2  Evidence Response - Birth.xml`,
    'QueryResponse',
    V10,
  ),
  msg(
    'old-education-preview-error',
    'evidence-exchange-old',
    `${E3}/Old samples/3.2 Step 2 Error Response - Education.xml`,
    'ErrorResponse',
    V10,
  ),
  msg(
    'old-education-response',
    'evidence-exchange-old',
    `${E3}/Old samples/3.4 Step 4 Evidence Response - Education.xml`,
    'QueryResponse',
    V10,
  ),
  msg(
    'old-tax-request',
    'evidence-exchange-old',
    `${E4}/Old samples/4.1 Step 1  Evidence Request - Tax.xml`,
    'QueryRequest',
    V10,
  ),
  msg(
    'old-tax-response',
    'evidence-exchange-old',
    `${E4}/Old samples/4.2 Step 2  Evidence Response - Tax.xml`,
    'QueryResponse',
    V10,
  ),
  // April 2023 Projectathon test cases.
  projectathon('TC01_Request', 'QueryRequest'),
  projectathon('TC01_Response', 'QueryResponse'),
  projectathon('TC02_Request', 'QueryRequest'),
  projectathon('TC02_Response', 'QueryResponse'), // unknown person: Success with an empty list
  projectathon('TC03_Request', 'QueryRequest'),
  projectathon('TC03_Response_alt1_timeout_in_connection_to_base_registry', 'ErrorResponse'),
  projectathon('TC03_Response_alt2_error_in_connection_to_base_registry', 'ErrorResponse'),
  projectathon('TC04_Request', 'QueryRequest'),
  projectathon('TC05_Request', 'QueryRequest'),
  projectathon('TC05_Response', 'QueryResponse'),
  projectathon('TC06_Request_1', 'QueryRequest'),
  projectathon('TC06_Request_2', 'QueryRequest'), // second request, carries PreviewLocation
  projectathon('TC06_Response_1', 'ErrorResponse'), // EDM:ERR:0002 preview required
  projectathon('TC06_Response_2', 'QueryResponse'),
  projectathon('TC07_Request_1_EP1', 'QueryRequest'),
  projectathon('TC07_Request_1_EP2', 'QueryRequest'),
  projectathon('TC07_Request_2_EP1', 'QueryRequest'),
  projectathon('TC07_Request_2_EP2', 'QueryRequest'),
  projectathon('TC07_Response_1_EP1', 'ErrorResponse'),
  projectathon('TC07_Response_1_EP2', 'ErrorResponse'),
  projectathon('TC07_Response_2_EP1', 'QueryResponse'),
  projectathon('TC07_Response_2_EP2', 'QueryResponse'),
  projectathon('TC08_Request_1', 'QueryRequest'),
  projectathon('TC08_Request_2', 'QueryRequest'),
  projectathon('TC08_Response_1', 'ErrorResponse'),
  projectathon('TC08_Response_2', 'QueryResponse'), // user declined: Success with an empty list
  projectathon('TC09_Request_1', 'QueryRequest'),
  projectathon('TC09_Request_2', 'QueryRequest'),
  projectathon('TC09_Response_1', 'ErrorResponse'),
  projectathon('TC09_Response_2', 'ErrorResponse'), // EDM:ERR:0005 preview never completed
  // Connectathon-1 drafts (pre-final v1.0: `requestID`, non-UUID ids, old slot names).
  msg('connectathon-request1-preview', 'connectathon-1-drafts', `${CA}/oots_request1_preview.xml`, 'QueryRequest', V10),
  msg(
    'connectathon-request2-after-preview',
    'connectathon-1-drafts',
    `${CA}/oots_request2_after_preview.xml`,
    'QueryRequest',
    V10,
  ),
  msg(
    'connectathon-exception-preview',
    'connectathon-1-drafts',
    `${CA}/oots_exception_preview.xml`,
    'ErrorResponse',
    V10,
  ),
  msg('connectathon-response', 'connectathon-1-drafts', `${CA}/oots_response.xml`, 'QueryResponse', V10),
  // v1.2 "3.x Education" examples (via pyRegRep).
  msg('v1.2-first-request', 'pyRegRep-tests', `${PY}/EDM_Ferst_Request.xml`, 'QueryRequest', V12),
  msg('v1.2-first-response', 'pyRegRep-tests', `${PY}/EDM_Ferst_Response.xml`, 'ErrorResponse', V12),
  msg('v1.2-second-request', 'pyRegRep-tests', `${PY}/EDM_Second_Request.xml`, 'QueryRequest', V12),
  msg('v1.2-second-response', 'pyRegRep-tests', `${PY}/EDM_Second_Response.xml`, 'QueryResponse', V12),
  // v2.0 reference messages of the French prototype (validated by its authors against 2.0.1).
  msg('v2.0-requete', 'oots-france-messages', `${FR}/requete.xml`, 'QueryRequest', V20),
  msg('v2.0-reponse', 'oots-france-messages', `${FR}/reponse.xml`, 'QueryResponse', V20),
  msg('v2.0-reponseDifferee', 'oots-france-messages', `${FR}/reponseDifferee.xml`, 'QueryResponse', V20), // status Unavailable
  msg('v2.0-erreur', 'oots-france-messages', `${FR}/erreur.xml`, 'ErrorResponse', V20),
  msg(
    'v2.0-erreurCapaciteNonSupportee',
    'oots-france-messages',
    `${FR}/erreurCapaciteNonSupportee.xml`,
    'ErrorResponse',
    V20,
  ),
  msg('v2.0-erreurExpiration', 'oots-france-messages', `${FR}/erreurExpiration.xml`, 'ErrorResponse', V20),
  msg('v2.0-erreurRequeteInvalide', 'oots-france-messages', `${FR}/erreurRequeteInvalide.xml`, 'ErrorResponse', V20),
  // v2.0 messages as received through Domibus: payloads with elided slots (no version written).
  msg('v2.0-incoming-requete', 'oots-france-incoming', `${IN}/requete.xml`, 'QueryRequest', undefined),
  msg(
    'v2.0-incoming-reponseAvecPieceJointe',
    'oots-france-incoming',
    `${IN}/reponseAvecPieceJointe.xml`,
    'QueryResponse',
    undefined,
  ),
  msg(
    'v2.0-incoming-erreurAutorisationRequise',
    'oots-france-incoming',
    `${IN}/erreurAutorisationRequise.xml`,
    'ErrorResponse',
    undefined,
  ),
  msg(
    'v2.0-incoming-erreurObjetIntrouvable',
    'oots-france-incoming',
    `${IN}/erreurObjetIntrouvable.xml`,
    'ErrorResponse',
    undefined,
  ),
];

function header(
  name: string,
  file: string,
  action: EbmsAction,
  conversationId: string,
  specificationId: EdmVersion | undefined,
  message: string | undefined,
): SampleHeader {
  return { name, path: file, action, conversationId, specificationId, message, load: () => read(file) };
}

export const SAMPLE_HEADERS: readonly SampleHeader[] = [
  header(
    'birth-request-header',
    `${E2}/2.1 Step 1  Evidence Request Header - Birth.xml`,
    'ExecuteQueryRequest',
    'c73b7fdc-1ab0-4b1e-b295-ac9e4a35d764',
    undefined,
    'birth-request',
  ),
  header(
    'birth-response-header',
    `${E2}/2.2 Step 2  Evidence Response Header - Birth.xml`,
    'ExecuteQueryResponse',
    'c73b7fdc-1ab0-4b1e-b295-ac9e4a35d764',
    undefined,
    'birth-response',
  ),
  header(
    'education-request-header',
    `${E3}/oots_request_header.xml`,
    'ExecuteQueryRequest',
    'b11c2a3c-3be9-4aac-9a03-cf2c6d4e7bbe',
    undefined,
    undefined,
  ),
  header(
    'education-response-header',
    `${E3}/oots_response_header.xml`,
    'ExecuteQueryResponse',
    'b11c2a3c-3be9-4aac-9a03-cf2c6d4e7bbe',
    undefined,
    undefined,
  ),
  header(
    'v2.0-requete-header',
    `${FR}/requete.entete.xml`,
    'ExecuteQueryRequest',
    'e0a6a5b7-6b2e-4b9c-9a63-8f0c6d3a1b24',
    V20,
    'v2.0-requete',
  ),
  header(
    'v2.0-reponse-header',
    `${FR}/reponse.entete.xml`,
    'ExecuteQueryResponse',
    'e0a6a5b7-6b2e-4b9c-9a63-8f0c6d3a1b24',
    V20,
    'v2.0-reponse',
  ),
  header(
    'v2.0-erreur-header',
    `${FR}/erreur.entete.xml`,
    'ExceptionResponse',
    'e0a6a5b7-6b2e-4b9c-9a63-8f0c6d3a1b24',
    V20,
    'v2.0-erreur',
  ),
  header(
    'v2.0-erreurCapaciteNonSupportee-header',
    `${FR}/erreurCapaciteNonSupportee.entete.xml`,
    'ExceptionResponse',
    'e0a6a5b7-6b2e-4b9c-9a63-8f0c6d3a1b24',
    V20,
    'v2.0-erreurCapaciteNonSupportee',
  ),
  header(
    'v2.0-erreurExpiration-header',
    `${FR}/erreurExpiration.entete.xml`,
    'ExceptionResponse',
    'e0a6a5b7-6b2e-4b9c-9a63-8f0c6d3a1b24',
    V20,
    'v2.0-erreurExpiration',
  ),
  header(
    'v2.0-erreurRequeteInvalide-header',
    `${FR}/erreurRequeteInvalide.entete.xml`,
    'ExceptionResponse',
    'e0a6a5b7-6b2e-4b9c-9a63-8f0c6d3a1b24',
    V20,
    'v2.0-erreurRequeteInvalide',
  ),
];

function envelope(
  name: string,
  file: string,
  operation: SampleEnvelope['operation'],
  action: EbmsAction | undefined,
): SampleEnvelope {
  return { name, path: file, operation, action, load: () => read(file) };
}

export const SAMPLE_ENVELOPES: readonly SampleEnvelope[] = [
  envelope('ws-requete-submit', `${WS}/requete.soumission.xml`, 'submitRequest', 'ExecuteQueryRequest'),
  envelope('ws-reponse-submit', `${WS}/reponse.soumission.xml`, 'submitRequest', 'ExecuteQueryResponse'),
  envelope('ws-erreur-submit', `${WS}/erreur.soumission.xml`, 'submitRequest', 'ExceptionResponse'),
  envelope(
    'ws-erreurCapaciteNonSupportee-submit',
    `${WS}/erreurCapaciteNonSupportee.soumission.xml`,
    'submitRequest',
    'ExceptionResponse',
  ),
  envelope(
    'ws-erreurRequeteInvalide-submit',
    `${WS}/erreurRequeteInvalide.soumission.xml`,
    'submitRequest',
    'ExceptionResponse',
  ),
  envelope('ws-listPending', `${WS}/listeMessagesEnAttente.xml`, 'listPendingMessagesRequest', undefined),
  envelope(
    'ws-listPending-filtered',
    `${WS}/listeMessagesEnAttente.filtree.xml`,
    'listPendingMessagesRequest',
    undefined,
  ),
  envelope('ws-retrieve', `${WS}/recuperationMessage.xml`, 'retrieveMessageRequest', undefined),
  envelope('incoming-requete', `${IN}/requete.xml`, 'retrieveMessageResponse', 'ExecuteQueryRequest'),
  envelope(
    'incoming-reponseAvecPieceJointe',
    `${IN}/reponseAvecPieceJointe.xml`,
    'retrieveMessageResponse',
    'ExecuteQueryResponse',
  ),
  envelope(
    'incoming-erreurAutorisationRequise',
    `${IN}/erreurAutorisationRequise.xml`,
    'retrieveMessageResponse',
    'ExceptionResponse',
  ),
  envelope(
    'incoming-erreurObjetIntrouvable',
    `${IN}/erreurObjetIntrouvable.xml`,
    'retrieveMessageResponse',
    'ExceptionResponse',
  ),
  envelope(
    'captured-listPending-empty',
    `${CAP}/listeMessagesEnAttente.vide.xml`,
    'listPendingMessagesResponse',
    undefined,
  ),
  envelope('captured-listPending', `${CAP}/listeMessagesEnAttente.xml`, 'listPendingMessagesResponse', undefined),
  envelope('captured-requete', `${CAP}/requete.xml`, 'retrieveMessageResponse', 'ExecuteQueryRequest'),
  envelope(
    'captured-reponseAvecPieceJointe',
    `${CAP}/reponseAvecPieceJointe.xml`,
    'retrieveMessageResponse',
    'ExecuteQueryResponse',
  ),
  envelope(
    'captured-erreurObjetIntrouvable',
    `${CAP}/erreurObjetIntrouvable.xml`,
    'retrieveMessageResponse',
    'ExceptionResponse',
  ),
  envelope('captured-submitResponse', `${CAP}/soumissionMessage.xml`, 'submitResponse', undefined),
  envelope(
    'regression-requete-sansProcedure',
    `${REG}/requete.sansProcedure.xml`,
    'retrieveMessageResponse',
    'ExecuteQueryRequest',
  ),
  envelope(
    'regression-requete-sansRequeteur',
    `${REG}/requete.sansRequeteur.xml`,
    'retrieveMessageResponse',
    'ExecuteQueryRequest',
  ),
  envelope('regression-erreurSansCode', `${REG}/erreurSansCode.xml`, 'retrieveMessageResponse', 'ExceptionResponse'),
];

function nonEdm(name: string, file: string): NonEdmSample {
  return { name, path: file, load: () => read(file) };
}

export const NON_EDM_SAMPLES: readonly NonEdmSample[] = [
  nonEdm('birth-evidence', `${E2}/Evidence Samples/BirthEvidence.xml`),
  nonEdm('secondary-education-evidence', `${E3}/Evidence Samples/secondaryEducationEvidence.xml`),
  nonEdm('secondary-education-evidence-supplement', `${E3}/Evidence Samples/secondaryEducationEvidenceSupplement.xml`),
  nonEdm('domibus-pmode', 'edelivery/oots-france_configuration_PMode_Domibus.xml'),
];

/** The catalogue entry called `name`; throws on a typo so tests cannot silently skip. */
export function sample(name: string): SampleMessage {
  const found = SAMPLE_MESSAGES.find((s) => s.name === name);
  if (found === undefined) throw new Error(`no sample message named ${name}`);
  return found;
}
