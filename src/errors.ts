/**
 * The one error hierarchy of the adapter. Every error has a `code` from a closed union so that
 * callers can narrow on it; where an OOTS EDM error applies, `edmCode` says which one the
 * requester must receive. The catalogue is documented in docs/errors.md (kept in sync by a test).
 */

/** OOTS EDM error codes (EDMErrorCodes code list, identical from v1.0 to v2.0.1). */
export type EdmErrorCode =
  | 'EDM:ERR:0001'
  | 'EDM:ERR:0002'
  | 'EDM:ERR:0003'
  | 'EDM:ERR:0004'
  | 'EDM:ERR:0005'
  | 'EDM:ERR:0006'
  | 'EDM:ERR:0007'
  | 'EDM:ERR:0008';

export const ERROR_CODES = {
  ERR_XML_MALFORMED: 'The bytes are not a well-formed, namespace-valid XML document.',
  ERR_XML_FORBIDDEN: 'The document uses a feature refused for safety (DTD, entity declaration).',
  ERR_XML_TOO_LARGE: 'The document exceeds a configured size, depth or count bound.',
  ERR_XML_ENCODING: 'The document is not valid UTF-8.',
  ERR_EDM_INVALID: 'The message violates the OOTS EDM (XSD or a business rule).',
  ERR_EDM_UNSUPPORTED_VERSION: 'The SpecificationIdentifier names an EDM version the adapter does not serve.',
  ERR_EDM_UNKNOWN_DOCUMENT: 'The document is XML but not an OOTS QueryRequest or QueryResponse.',
  ERR_CONFIG_INVALID: 'The environment configuration is invalid.',
  ERR_MAPPING_INVALID:
    'An evidence mapping file is invalid (schema or semantic check), or two mappings serve one evidence type.',
  ERR_CRYPTO_OPEN_FAILED: 'A value encrypted at rest could not be opened (wrong key, wrong context or tampered).',
  ERR_ENVELOPE_INVALID: 'A connector envelope (REST JSON) is malformed, incomplete or over a limit.',
  ERR_CONNECTOR_REFUSED: 'The outbound connector refused a message for good (HTTP 4xx other than 408/429).',
  ERR_CONNECTOR_UNAVAILABLE:
    'The outbound connector did not accept a message this time (timeout, network, 408, 429, 5xx); delivery is retried.',
  ERR_REDIS_UNAVAILABLE:
    'Redis could not be reached or started (the private Redis of the embedded default needs redis-server on PATH).',
  ERR_DAGR:
    "A DAGR call failed after the client's retries (the `cause` field says why: timeout, unavailable, rate-limited, forbidden, bad-request, protocol).",
  ERR_RENDER_UNSUPPORTED_FORMAT: 'The requested evidence format (DistributedAs/Format) has no renderer.',
  ERR_RENDER_FIELD_MISSING: 'The DAGR record lacks a value that the evidence mapping requires.',
  ERR_RENDER_FIELD_INVALID:
    'The DAGR record holds a value the evidence mapping cannot lay out (a structure where text is expected).',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AdapterError extends Error {
  override readonly name: string = 'AdapterError';
  readonly code: ErrorCode;
  /** The EDM error the requester receives when this error ends an exchange. */
  readonly edmCode: EdmErrorCode | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; edmCode?: EdmErrorCode }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.edmCode = options?.edmCode;
  }
}

/** Raised by the XML guard and tree builder: the input never becomes a tree. */
export class XmlInputError extends AdapterError {
  override readonly name = 'XmlInputError';
  /** 1-based line of the problem when known. */
  readonly line: number | undefined;

  constructor(
    code: 'ERR_XML_MALFORMED' | 'ERR_XML_FORBIDDEN' | 'ERR_XML_TOO_LARGE' | 'ERR_XML_ENCODING',
    message: string,
    options?: { cause?: unknown; line?: number },
  ) {
    super(code, message, { cause: options?.cause, edmCode: 'EDM:ERR:0003' });
    this.line = options?.line;
  }
}
