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
  ERR_XML_TOO_LARGE: 'The document exceeds a configured bound: size, depth, count (elements, namespace declarations, attributes), or the time or memory one parse may take.',
  ERR_XML_ENCODING: 'The document is not valid UTF-8.',
  ERR_PARSE_BUSY:
    'Every parse thread is busy and as many untrusted documents as PARSE_QUEUE_MAX already wait for one; the document (`/edm/validate`, a Domibus push) is not read: HTTP 503 with Retry-After.',
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
  ERR_DOMIBUS_FAULT:
    'The Domibus WS plugin answered with a SOAP fault (the message carries its code, e.g. WS_PLUGIN:0003, and its text).',
  ERR_DOMIBUS_UNAVAILABLE:
    'The Domibus WS plugin could not be reached, timed out, refused the plugin user (HTTP 401/403) or answered HTTP 5xx without a SOAP fault.',
  ERR_DOMIBUS_PROTOCOL: 'The Domibus WS plugin answered something that is not the expected SOAP 1.2 response (MTOM must stay off).',
  ERR_DOMIBUS_PENDING:
    'An answer submitted to Domibus is not yet acknowledged by the receiving access point (status such as WAITING_FOR_RECEIPT); the delivery checks again later.',
  ERR_REDIS_UNAVAILABLE:
    'Redis could not be reached or started (the private Redis of the embedded default needs redis-server on PATH), or a write was not confirmed as `REDIS_DURABILITY` asks (WAIT/WAITAOF timed out).',
  ERR_DAGR:
    "A DAGR call failed after the client's retries (the `cause` field says why: timeout, unavailable, rate-limited, forbidden, bad-request, protocol).",
  ERR_RENDER_UNSUPPORTED_FORMAT: 'The requested evidence format (DistributedAs/Format) has no renderer.',
  ERR_RENDER_FIELD_MISSING: 'The DAGR record lacks a value that the evidence mapping requires.',
  ERR_RENDER_FIELD_INVALID:
    'The DAGR record holds a value the evidence mapping cannot lay out (a structure where text is expected).',
  ERR_PREVIEW_INPUT: 'A preview session could not be created from its input (no evidence, or bad or duplicate evidence ids).',
  ERR_OIDC: 'The preview login failed at the OpenID Connect issuer (discovery, code exchange or ID token validation).',
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
