/** EDM response builders: pure functions from typed input to an XML string. */
export { buildDeferredResponse, buildQueryResponse, EDM_CLASSIFICATION_SCHEME } from './query-response.js';
export { buildErrorResponse, EDM_ERRORS, SEVERITY_ERROR, SEVERITY_PREVIEW_REQUIRED } from './error-response.js';
export * from './types.js';
