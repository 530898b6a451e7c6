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

/**
 * One catalogue entry: what the code means and the HTTP status the one HTTP error middleware
 * answers with when the error ends a request (src/infra/http-problem.ts); `title` overrides the
 * status's reason phrase in the problem+json body. Codes that never end an HTTP request carry 500.
 */
export interface CatalogueEntry {
  readonly status: number;
  readonly title?: string;
  readonly description: string;
}

export const ERROR_CODES = {
  ERR_XML_MALFORMED: {
    status: 400,
    title: 'Bad XML',
    description: 'The bytes are not a well-formed, namespace-valid XML document.',
  },
  ERR_XML_FORBIDDEN: {
    status: 400,
    title: 'Bad XML',
    description: 'The document uses a feature refused for safety (DTD, entity declaration).',
  },
  ERR_XML_TOO_LARGE: {
    status: 400,
    title: 'Bad XML',
    description:
      'The document exceeds a configured bound: size, depth, count (elements, namespace declarations, attributes), or the time or memory one parse may take.',
  },
  ERR_XML_ENCODING: {
    status: 400,
    title: 'Bad XML',
    description: 'The document is not valid UTF-8.',
  },
  ERR_PARSE_BUSY: {
    status: 503,
    description:
      'Every parse thread is busy and as many untrusted documents as PARSE_QUEUE_MAX already wait for one; the document (`/edm/validate`, a Domibus push) is not read: HTTP 503 with Retry-After.',
  },
  ERR_EDM_INVALID: {
    status: 400,
    description: 'The message violates the OOTS EDM (XSD or a business rule).',
  },
  ERR_EDM_UNSUPPORTED_VERSION: {
    status: 400,
    description: 'The SpecificationIdentifier names an EDM version the adapter does not serve.',
  },
  ERR_EDM_UNKNOWN_DOCUMENT: {
    status: 400,
    description: 'The document is XML but not an OOTS QueryRequest or QueryResponse.',
  },
  ERR_CONFIG_INVALID: {
    status: 500,
    description: 'The environment configuration is invalid.',
  },
  ERR_MAPPING_INVALID: {
    status: 500,
    description:
      'An evidence mapping file is invalid (schema or semantic check), or two mappings serve one evidence type.',
  },
  ERR_CRYPTO_OPEN_FAILED: {
    status: 500,
    description: 'A value encrypted at rest could not be opened (wrong key, wrong context or tampered).',
  },
  ERR_ENVELOPE_INVALID: {
    status: 400,
    description: 'A connector envelope (REST JSON) is malformed, incomplete or over a limit.',
  },
  ERR_CONNECTOR_REFUSED: {
    status: 500,
    description: 'The outbound connector refused a message for good (HTTP 4xx other than 408/429).',
  },
  ERR_CONNECTOR_UNAVAILABLE: {
    status: 500,
    description:
      'The outbound connector did not accept a message this time (timeout, network, 408, 429, 5xx); delivery is retried.',
  },
  ERR_DOMIBUS_FAULT: {
    status: 500,
    description:
      'The Domibus WS plugin answered with a SOAP fault (the message carries its code, e.g. WS_PLUGIN:0003, and its text).',
  },
  ERR_DOMIBUS_UNAVAILABLE: {
    status: 500,
    description:
      'The Domibus WS plugin could not be reached, timed out, refused the plugin user (HTTP 401/403) or answered HTTP 5xx without a SOAP fault.',
  },
  ERR_DOMIBUS_PROTOCOL: {
    status: 500,
    description:
      'The Domibus WS plugin answered something that is not the expected SOAP 1.2 response (MTOM must stay off).',
  },
  ERR_DOMIBUS_PENDING: {
    status: 500,
    description:
      'An answer submitted to Domibus is not yet acknowledged by the receiving access point (status such as WAITING_FOR_RECEIPT); the delivery checks again later.',
  },
  ERR_REDIS_UNAVAILABLE: {
    status: 503,
    description:
      'Redis could not be reached or started (the private Redis of the embedded default needs redis-server on PATH), or a write was not confirmed as `REDIS_DURABILITY` asks (WAIT/WAITAOF timed out).',
  },
  ERR_DAGR: {
    status: 500,
    description:
      "A DAGR call failed after the client's retries (the `cause` field says why: timeout, unavailable, rate-limited, forbidden, bad-request, protocol).",
  },
  ERR_RENDER_UNSUPPORTED_FORMAT: {
    status: 500,
    description: 'The requested evidence format (DistributedAs/Format) has no renderer.',
  },
  ERR_RENDER_FIELD_MISSING: {
    status: 500,
    description: 'The DAGR record lacks a value that the evidence mapping requires.',
  },
  ERR_RENDER_FIELD_INVALID: {
    status: 500,
    description:
      'The DAGR record holds a value the evidence mapping cannot lay out (a structure where text is expected).',
  },
  ERR_PREVIEW_INPUT: {
    status: 500,
    description:
      'A preview session could not be created from its input (no evidence, or bad or duplicate evidence ids).',
  },
  ERR_OIDC: {
    status: 500,
    description:
      'The preview login failed at the OpenID Connect issuer (discovery, code exchange or ID token validation).',
  },
  ERR_HTTP_BAD_REQUEST: {
    status: 400,
    description: 'An HTTP request is malformed: a missing or invalid parameter, query or body field.',
  },
  ERR_HTTP_UNAUTHORIZED: {
    status: 401,
    description: 'An HTTP request lacks valid credentials (admin basic auth, metrics bearer token).',
  },
  ERR_HTTP_FORBIDDEN: {
    status: 403,
    description: 'The caller is authenticated but may not do this (viewer role, cross-site or stale form).',
  },
  ERR_HTTP_NOT_FOUND: {
    status: 404,
    description:
      'No such route, or the resource the route names does not exist (mapping, revision, audit record, try result).',
  },
  ERR_HTTP_CONFLICT: {
    status: 409,
    description: 'The change conflicts with the current state (an evidence type served by another active mapping).',
  },
  ERR_HTTP_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    description: 'The request body has a content type the route does not read.',
  },
  ERR_HTTP_UNPROCESSABLE: {
    status: 422,
    title: 'Unprocessable Content',
    description: 'The request body is well-formed but its content is refused (a mapping with problems).',
  },
  ERR_HTTP_RATE_LIMITED: {
    status: 429,
    description:
      'The caller spent its request budget (a rate limit of the route); the answer says when to retry (Retry-After).',
  },
  ERR_HTTP_UNAVAILABLE: {
    status: 503,
    description: 'The route cannot serve the request in this process or right now (e.g. a mapping try without DAGR).',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The HTTP status an error code ends a request with. */
export function httpStatusOf(code: ErrorCode): number {
  return ERROR_CODES[code].status;
}

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

/**
 * An error a route raises to end its request with a problem+json answer: the status comes from
 * the code's catalogue entry; `extra` members are added to the body (e.g. `problems`) and
 * `headers` set on the answer (e.g. `Retry-After`, `WWW-Authenticate`). The message is the
 * problem's `detail`, so it must be fit for the caller (no personal data, no internals).
 */
export class HttpProblem extends AdapterError {
  override readonly name = 'HttpProblem';
  readonly extra: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: ErrorCode,
    detail: string,
    options?: { extra?: Record<string, unknown>; headers?: Record<string, string>; cause?: unknown },
  ) {
    super(code, detail, { cause: options?.cause });
    this.extra = options?.extra ?? {};
    this.headers = options?.headers ?? {};
  }
}
