/**
 * Error `query:QueryResponse` (status Failure, action `ExceptionResponse`; notes §4), including
 * the preview-required answer (`EDM:ERR:0002` with PreviewLocation).
 */
import type { EdmErrorCode } from '../../errors.js';
import { generationOf } from '../model.js';
import type { ErrorResponseInput, ExceptionInput } from './types.js';
import {
  agent,
  type Builder,
  dateTimeSlot,
  internationalStringSlot,
  responseRoot,
  slotValue,
  STATUS,
  stringSlot,
} from './xml-writer.js';
import { serializeXml } from '../xml/write.js';

/** `rs:Exception/@xsi:type` and code-list name of each EDM error code (EDMErrorCodes). */
export const EDM_ERRORS: Readonly<Record<EdmErrorCode, { readonly type: string; readonly message: string }>> = {
  'EDM:ERR:0001': { type: 'rs:AuthenticationExceptionType', message: 'Failed Authentication' },
  'EDM:ERR:0002': { type: 'rs:AuthorizationExceptionType', message: 'Missing Authorization' },
  'EDM:ERR:0003': { type: 'rs:InvalidRequestExceptionType', message: 'Syntactically or semantically invalid request' },
  'EDM:ERR:0004': { type: 'rs:ObjectNotFoundExceptionType', message: 'Object not found' },
  'EDM:ERR:0005': { type: 'rs:TimeoutExceptionType', message: 'Exceeding timeout period' },
  'EDM:ERR:0006': { type: 'rs:UnresolvedReferenceExceptionType', message: 'Referenced object that cannot be resolved' },
  'EDM:ERR:0007': {
    type: 'rs:UnsupportedCapabilityExceptionType',
    message: 'Optional feature or capability is not supported',
  },
  'EDM:ERR:0008': { type: 'query:QueryExceptionType', message: 'Problem during the processing of a QueryRequest' },
};

export const SEVERITY_ERROR = 'urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error';
/**
 * Severity of `EDM:ERR:0002` in every version we speak, spelled as the final releases do (1.0.0
 * onwards, the Oct-2023 Projectathon, the v1.2 and v2.0 samples). The April-2023 snapshot
 * Schematron in ../shared predates the host rename: its ErrorSeverity list (R-EDM-ERR-C014) has
 * only `urn:sr.oots.tech.europa.eu:…`, and its R-EDM-ERR-C022 fires only on that old host, where
 * its test `count(rim:Slot[@name='PreviewLocation']=1)` compares the slot's URL with the number 1
 * and stops XPath 2.0 evaluation with FORG0001 (it does so on the official TC06_Response_1 too).
 * So the snapshot's C022 expects nothing it can check; we write the final host.
 */
export const SEVERITY_PREVIEW_REQUIRED =
  'urn:sr.oots.tech.ec.europa.eu:codes:ErrorSeverity:EDMErrorResponse:PreviewRequired';

/** An error response with one or more exceptions (more than one is allowed from 1.1.2). */
export function buildErrorResponse(input: ErrorResponseInput): string {
  if (input.exceptions.length === 0) throw new Error('an error response needs at least one exception');
  // R-EDM-ERR-S003: requestId may only be left out when the request itself was invalid.
  if (input.requestId === undefined && input.exceptions.some((e) => e.code !== 'EDM:ERR:0003')) {
    throw new Error('requestId may be omitted only when every exception is EDM:ERR:0003 (InvalidRequestExceptionType)');
  }
  const root = responseRoot(STATUS.failure, input.requestId);
  stringSlot(root, 'SpecificationIdentifier', input.version);
  stringSlot(root, 'EvidenceResponseIdentifier', input.responseId);
  // R-EDM-ERR-S020 says CollectionValueType in its message but tests for AnyValueType, as every sample writes.
  agent(slotValue(root, 'ErrorProvider', 'AnyValueType'), input.errorProvider, { full: true, classification: 'ERRP' });
  if (input.evidenceRequester !== undefined) {
    agent(slotValue(root, 'EvidenceRequester', 'AnyValueType'), input.evidenceRequester, { full: false });
  }
  for (const e of input.exceptions) exception(root, e, input);
  return serializeXml(root);
}

function exception(root: Builder, e: ExceptionInput, input: ErrorResponseInput): void {
  if (e.preview !== undefined && e.code !== 'EDM:ERR:0002')
    throw new Error(`preview slots belong to EDM:ERR:0002, not ${e.code}`);
  const known = EDM_ERRORS[e.code];
  const el = root
    .ele('rs:Exception')
    .att('xsi:type', known.type)
    .att('code', e.code)
    .att('message', e.message ?? known.message);
  if (e.detail !== undefined) el.att('detail', e.detail);
  el.att('severity', e.code === 'EDM:ERR:0002' ? SEVERITY_PREVIEW_REQUIRED : SEVERITY_ERROR);
  dateTimeSlot(el, 'Timestamp', input.issueDateTime);
  if (e.preview === undefined) return;
  stringSlot(el, 'PreviewLocation', e.preview.location);
  if (e.preview.description !== undefined && e.preview.description.length > 0) {
    internationalStringSlot(el, 'PreviewDescription', e.preview.description);
  }
  // PreviewMethod is v1.x only (removed in 2.0, R-EDM-ERR-S027); 1.2.5 requires it beside PreviewLocation.
  if (generationOf(input.version) === 'v1') stringSlot(el, 'PreviewMethod', e.preview.method ?? 'GET');
}
