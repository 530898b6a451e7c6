/**
 * The key table of the configuration: every key the adapter reads, with its type, default and
 * meaning, in the order of `.env.example`. Read and validated by `loadConfig` (src/config.ts), the
 * one place that reads the environment; `.env.example` is generated from it (a test keeps them in sync).
 */
export type Kind =
  | { readonly type: 'string'; readonly pattern?: RegExp }
  | { readonly type: 'int'; readonly min: number; readonly max: number }
  | { readonly type: 'enum'; readonly values: readonly string[] };

export interface KeySpec {
  readonly kind: Kind;
  /** Undefined = required. */
  readonly default: string | undefined;
  readonly doc: string;
}

/** Every configuration key the adapter reads. Order here is the order of `.env.example`. */
export const CONFIG_KEYS = {
  LOG_LEVEL: {
    kind: { type: 'enum', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    default: 'info',
    doc: 'Minimum level written to the JSON log.',
  },
  ADAPTER_ROLE: {
    kind: { type: 'enum', values: ['all', 'api', 'worker'] },
    default: 'all',
    doc: 'What this process runs: api (connector intake, preview, admin), worker (queue processing) or all. `oots-adapter start --role` overrides it.',
  },
  DATA_DIR: {
    kind: { type: 'string' },
    default: 'var',
    doc: 'Directory for local state of the embedded default (private Redis AOF, generated sandbox keys and tokens).',
  },
  MESSAGE_DOMAIN: {
    kind: { type: 'string', pattern: /^[a-z0-9.-]+$/ },
    default: 'oots-adapter.lv.invalid',
    doc: 'Domain part of the AS4 MessageIds and payload Content-IDs the adapter creates (`<id>@<domain>`).',
  },
  NOT_FOUND_ANSWER: {
    kind: { type: 'enum', values: ['empty', 'error'] },
    default: 'empty',
    doc: 'Answer when no matching record exists: `empty` success (as the 2023 Projectathon TC02 expects) or `error` (EDM:ERR:0004).',
  },
  SYSTEM_CHECK: {
    kind: { type: 'enum', values: ['on', 'off'] },
    default: 'on',
    doc: 'Requests under procedure 00 (production tests): `on` answers them with a test evidence from an invented record (no DAGR call, no preview, counted apart in metrics and the audit trail); `off` refuses them with EDM:ERR:0007.',
  },
  HTTP_HOST: { kind: { type: 'string' }, default: '127.0.0.1', doc: 'Address the HTTP API listens on.' },
  HTTP_PORT: {
    kind: { type: 'int', min: 0, max: 65535 },
    default: '8080',
    doc: 'Port the HTTP API listens on (0 = any free port).',
  },
  XML_MAX_BYTES: {
    kind: { type: 'int', min: 1024, max: 100 * 1024 * 1024 },
    default: String(5 * 1024 * 1024),
    doc: 'Largest EDM XML document accepted, in bytes.',
  },
  XML_MAX_DEPTH: {
    kind: { type: 'int', min: 8, max: 256 },
    default: '64',
    doc: 'Deepest element nesting accepted in an EDM document.',
  },
  XML_MAX_ELEMENTS: {
    kind: { type: 'int', min: 100, max: 10_000_000 },
    default: '50000',
    doc: 'Most elements accepted in one EDM document.',
  },
  XML_MAX_NAMESPACES_PER_ELEMENT: {
    kind: { type: 'int', min: 8, max: 10_000 },
    default: '32',
    doc: 'Most namespace declarations accepted on one element (the official samples use at most 7).',
  },
  XML_MAX_NAMESPACES: {
    kind: { type: 'int', min: 8, max: 1_000_000 },
    default: '1024',
    doc: 'Most namespace declarations accepted in one XML document.',
  },
  XML_MAX_ATTRIBUTES_PER_ELEMENT: {
    kind: { type: 'int', min: 8, max: 10_000 },
    default: '64',
    doc: 'Most attributes accepted on one element (the official samples use at most 10).',
  },
  XML_MAX_ATTRIBUTES: {
    kind: { type: 'int', min: 100, max: 10_000_000 },
    default: '100000',
    doc: 'Most attributes accepted in one XML document.',
  },
  PARSE_THREADS: {
    kind: { type: 'int', min: 1, max: 64 },
    default: '2',
    doc: 'Worker threads that parse and validate untrusted XML (`/edm/validate`, connector payloads, Domibus pushes), so a slow document never blocks the event loop.',
  },
  PARSE_TIME_LIMIT_MS: {
    kind: { type: 'int', min: 100, max: 600_000 },
    default: '2000',
    doc: 'Longest one document may take to parse and validate; past it the document is refused and its thread replaced.',
  },
  PARSE_QUEUE_MAX: {
    kind: { type: 'int', min: 4, max: 100_000 },
    default: '16',
    doc: 'Most documents from `/edm/validate` and Domibus pushes waiting for a parse thread; one more is refused at once (HTTP 503 with Retry-After), so a flood neither makes honest requests wait without end nor fills memory with queued documents. Connector payloads in the worker are bounded by WORKER_CONCURRENCY instead.',
  },
  PARSE_THREAD_MAX_HEAP_MB: {
    kind: { type: 'int', min: 32, max: 16_384 },
    default: '256',
    doc: 'Heap limit of each parse thread, in MiB: a document that needs more is refused and the thread replaced, the process lives on.',
  },
  EP_IDENTIFIER: {
    kind: { type: 'string', pattern: /^\S+$/ },
    default: '90000012827',
    doc: 'Identifier of this evidence provider as it appears in ErrorProvider / EvidenceProvider agents, and the ebMS finalRecipient (C4) a request must name (or the issuing authority of the mapping that serves it).',
  },
  EP_IDENTIFIER_SCHEME: {
    kind: {
      type: 'string',
      pattern: /^(urn:cef\.eu:names:identifier:EAS:\d{4}|urn:oasis:names:tc:ebcore:partyid-type:unregistered\S*)$/,
    },
    default: 'urn:cef.eu:names:identifier:EAS:9939',
    doc: 'schemeID of EP_IDENTIFIER (an EAS code URN or an unregistered party-id type).',
  },
  EP_NAME: {
    kind: { type: 'string' },
    default: 'Latvian OOTS evidence provider (DAGR)',
    doc: 'Name of this evidence provider (English).',
  },
  EP_COUNTRY: {
    kind: { type: 'string', pattern: /^[A-Z]{2}$/ },
    default: 'LV',
    doc: 'ISO 3166-1 alpha-2 country of this evidence provider.',
  },
  ENCRYPTION_KEY: {
    kind: { type: 'string' },
    default: '',
    doc: 'AES-256-GCM key for requests and evidence at rest: standard base64 of 32 bytes (`openssl rand -base64 32`). Empty = the embedded default generates one under var/ (never in production: every process must share one key).',
  },
  REDIS_URL: {
    kind: { type: 'string', pattern: /^(|rediss?:\/\/\S+|redis-sentinel:\/\/\S+|redis-cluster:\/\/\S+)$/ },
    default: '',
    doc: 'Redis for queues and storage: redis://[user:pass@]host:port[/db], rediss:// (TLS), redis-sentinel://[:pass@]host:26379,host2:26379/<master>[?db=N], redis-cluster://host:6379,host2:6379. Empty = start a private redis-server (embedded default). Redis must run with maxmemory-policy noeviction and AOF on.',
  },
  REDIS_DURABILITY: {
    kind: { type: 'enum', values: ['write', 'fsync', 'replica'] },
    default: 'write',
    doc: 'When intake acknowledges: write = Redis applied it (AOF fsync per the server appendfsync, everysec: up to 1 s at risk on power loss), fsync = also WAITAOF local fsync (Redis >= 7.2), replica = also WAIT for one replica.',
  },
  REDIS_DURABILITY_TIMEOUT_MS: {
    kind: { type: 'int', min: 10, max: 60_000 },
    default: '500',
    doc: 'fsync/replica durability: how long one WAITAOF/WAIT may take before the write counts as unconfirmed (intake then answers 503 with Retry-After, and refuses at once for twice this long).',
  },
  QUEUE_PREFIX: {
    kind: { type: 'string', pattern: /^[^\s:]+$/ },
    default: '{oots}',
    doc: 'Key prefix of the BullMQ queues and the exchange store. On Redis Cluster (redis-cluster://) it must hold a {hash tag}, e.g. {oots}, so that the keys each script touches share one slot.',
  },
  WORKER_CONCURRENCY: {
    kind: { type: 'int', min: 1, max: 1000 },
    default: '16',
    doc: 'Jobs one worker process runs at once (per queue).',
  },
  WORKER_NICENESS: {
    kind: { type: 'int', min: 0, max: 19 },
    default: '10',
    doc: 'Scheduling niceness a process of role worker gives itself at start (0 = leave it). Intake answers the connector while it waits; processing is queued anyway, so where api and workers share CPUs the api should win them. No effect on roles api and all.',
  },
  PROCESS_ATTEMPTS: {
    kind: { type: 'int', min: 1, max: 100 },
    default: '5',
    doc: 'Attempts to process a request before it is answered with an EDM error.',
  },
  PROCESS_BACKOFF_MS: {
    kind: { type: 'int', min: 10, max: 3_600_000 },
    default: '1000',
    doc: 'First retry delay of request processing; doubles on each attempt.',
  },
  JOB_LOCK_MS: {
    kind: { type: 'int', min: 1000, max: 3_600_000 },
    default: '30000',
    doc: 'How long a worker holds a job without renewing its lock. A worker that dies (or whose event loop stays blocked this long) loses its jobs to other workers after this time.',
  },
  JOB_MAX_STALLS: {
    kind: { type: 'int', min: 0, max: 100 },
    default: '1',
    doc: 'How often a job may be lost that way and taken over before it fails; a request whose processing failed so is answered with EDM:ERR:0008 by the rescue sweep (a request that kills workers must not loop forever).',
  },
  DELIVERY_BACKOFF_MAX_MS: {
    kind: { type: 'int', min: 100, max: 86_400_000 },
    default: '300000',
    doc: 'Longest wait between two delivery attempts to the connector (deliveries retry until accepted).',
  },
  RECOVERY_SWEEP_INTERVAL_MS: {
    kind: { type: 'int', min: 100, max: 3_600_000 },
    default: '15000',
    doc: 'How often each worker re-enqueues stored requests whose processing job was lost (stored over RECOVERY_SWEEP_GRACE_MS ago, no job): nothing accepted is lost to a job that vanished.',
  },
  RESCUE_SWEEP_INTERVAL_MS: {
    kind: { type: 'int', min: 100, max: 3_600_000 },
    default: '15000',
    doc: 'How often each worker answers requests whose processing failed for good (attempts used up, or JOB_MAX_STALLS take-overs) with an EDM error.',
  },
  DEADLINE_SWEEP_INTERVAL_MS: {
    kind: { type: 'int', min: 100, max: 600_000 },
    default: '1000',
    doc: 'How often each worker looks for requests past ANSWER_DEADLINE_SECONDS or DELIVERY_DEADLINE_SECONDS; a deadline is enforced at most this late.',
  },
  DELIVERY_SWEEP_INTERVAL_MS: {
    kind: { type: 'int', min: 100, max: 3_600_000 },
    default: '15000',
    doc: 'How often each worker re-enqueues answers stored but not delivered whose delivery job was lost (after DELIVERY_SWEEP_GRACE_MS).',
  },
  RECOVERY_SWEEP_GRACE_MS: {
    kind: { type: 'int', min: 1000, max: 3_600_000 },
    default: '30000',
    doc: 'How long a stored request may wait for its processing job before the recovery sweep counts the job as lost and enqueues it again.',
  },
  DELIVERY_SWEEP_GRACE_MS: {
    kind: { type: 'int', min: 1000, max: 3_600_000 },
    default: '60000',
    doc: 'How long a stored answer may wait for its delivery job before the delivery sweep counts the job as lost and enqueues it again; never less than twice CONNECTOR_OUTBOUND_TIMEOUT_MS, so an attempt still in flight is not doubled.',
  },
  ANSWER_DEADLINE_SECONDS: {
    kind: { type: 'int', min: 0, max: 86_400 },
    default: '300',
    doc: "Answer deadline, counted from the request's ebMS Timestamp: OOTS T1 (EDM v2.0 chapter 4.4: 5 min for the first round trip). Evidence that cannot be produced before it is not sent later: the requester gets EDM:ERR:0005 at the deadline, and a request that arrives after it gets EDM:ERR:0005 at once. A v2.0 request #2 waits under the preview deadlines (T2/T3) instead. 0 = no answer deadline.",
  },
  DELIVERY_DEADLINE_SECONDS: {
    kind: { type: 'int', min: 0, max: 31_536_000 },
    default: '3600',
    doc: 'How long, from receipt, an answer the connector does not take is retried; then the exchange is marked failed in the audit trail, counted (oots_deadlines_total{kind="delivery"}) and alerted. 0 = retried until accepted.',
  },
  REQUEST_REPLAY_SECONDS: {
    kind: { type: 'int', min: 0, max: 86_400 },
    default: '360',
    doc: 'How long the answer to a request is kept (encrypted) for the same request sent again under a new AS4 MessageId (same requester, request id and content): such a re-send gets that answer again, with no second DAGR lookup. Default: as long as a requester still waits for it (T1 + its 1 min margin, EDM v2.0 chapter 4.4). Each kept answer holds its evidence (about 45 KB for the shipped PDF mappings), so R requests/s keep about R x 45 KB x this in Redis. 0 = not kept (a re-send is answered from the first only while that one is in progress).',
  },
  EXCHANGE_TTL_SECONDS: {
    kind: { type: 'int', min: 60, max: 31_536_000 },
    default: '2592000',
    doc: 'How long a stored exchange (encrypted request, answer, state) and its duplicate markers live in Redis.',
  },
  CONNECTOR_INBOUND_TOKEN: {
    kind: { type: 'string' },
    default: '',
    doc: 'Bearer token the connector presents on POST /connector/messages (at least 16 characters). Empty = the embedded default generates one under var/.',
  },
  CONNECTOR_MAX_BODY_BYTES: {
    kind: { type: 'int', min: 1024, max: 512 * 1024 * 1024 },
    default: String(20 * 1024 * 1024),
    doc: 'Largest inbound connector envelope (JSON, base64 payloads included), in bytes.',
  },
  CONNECTOR_OUTBOUND_URL: {
    kind: { type: 'string', pattern: /^(|https?:\/\/\S+)$/ },
    default: '',
    doc: 'Where answers are POSTed (REST connector). Empty = the embedded connector stand-in.',
  },
  CONNECTOR_OUTBOUND_TOKEN: {
    kind: { type: 'string' },
    default: '',
    doc: 'Bearer token sent to CONNECTOR_OUTBOUND_URL (empty = none).',
  },
  CONNECTOR_OUTBOUND_TIMEOUT_MS: {
    kind: { type: 'int', min: 100, max: 600_000 },
    default: '30000',
    doc: 'Timeout of one delivery attempt to the connector.',
  },
  CONNECTOR_MODE: {
    // Checked against the registered connector types when the connector opens (src/connector/registry.ts).
    kind: { type: 'string', pattern: /^[a-z][a-z0-9-]*$/ },
    default: 'rest',
    doc: 'How requests arrive and answers leave: rest = the JSON connector (POST /connector/messages, CONNECTOR_OUTBOUND_URL); domibus-ws = the Domibus WS plugin (SOAP 1.2: pull/push, submitMessage), see docs/domibus.md.',
  },
  DOMIBUS_WS_URL: {
    kind: { type: 'string', pattern: /^(|https?:\/\/\S+)$/ },
    default: '',
    doc: 'Domibus WS plugin endpoint, e.g. https://ap.example.lv/domibus/services/wsplugin (CONNECTOR_MODE=domibus-ws). Empty = the embedded Domibus stand-in.',
  },
  DOMIBUS_USER: {
    kind: { type: 'string' },
    default: '',
    doc: 'Domibus plugin user (HTTP basic auth on the WS plugin). Required with DOMIBUS_WS_URL.',
  },
  DOMIBUS_PASSWORD: {
    kind: { type: 'string' },
    default: '',
    doc: 'Password of DOMIBUS_USER. Required with DOMIBUS_WS_URL.',
  },
  DOMIBUS_PULL_INTERVAL_MS: {
    kind: { type: 'int', min: 0, max: 3_600_000 },
    default: '5000',
    doc: 'How often pending messages are pulled from Domibus (listPendingMessages + retrieveMessage). 0 = no scheduled pull (push and sweep only).',
  },
  DOMIBUS_SWEEP_INTERVAL_MS: {
    kind: { type: 'int', min: 0, max: 86_400_000 },
    default: '60000',
    doc: 'How often a sweep collects what push missed and re-enqueues stored requests whose processing job was lost. 0 = no sweep.',
  },
  DOMIBUS_TIMEOUT_MS: {
    kind: { type: 'int', min: 100, max: 600_000 },
    default: '30000',
    doc: 'Timeout of one call to the Domibus WS plugin (connect and full answer).',
  },
  DOMIBUS_RETRIEVE_MODE: {
    kind: { type: 'enum', values: ['destructive', 'confirm'] },
    default: 'destructive',
    doc: 'destructive = retrieveMessage marks the message downloaded (with retention_downloaded=0 Domibus deletes it), the adapter stores it first thing; confirm = retrieve with the attribute markAsDownloaded="false", store, then markMessageAsDownloaded (Domibus 5.1+; oots-adapter domibus selftest checks the WSDL): no loss even if the adapter dies mid-retrieve.',
  },
  DOMIBUS_PUSH_USER: {
    kind: { type: 'string', pattern: /^\S*$/ },
    default: 'domibus-push',
    doc: 'User Domibus presents (wsplugin.push.auth.username) on POST /connector/domibus/push.',
  },
  DOMIBUS_PUSH_PASSWORD: {
    kind: { type: 'string' },
    default: '',
    doc: 'Password Domibus presents (wsplugin.push.auth.password), at least 16 characters. Empty = the push endpoint is off (pull and sweep only).',
  },
  DAGR_BASE_URL: {
    kind: { type: 'string', pattern: /^(|https?:\/\/\S+)$/ },
    default: '',
    doc: 'DAGR REST API base URL (test: https://test.dagr.gov.lv). Empty = the embedded DAGR sandbox with synthetic data.',
  },
  DAGR_CLIENT_ID: {
    kind: { type: 'string', pattern: /^\S+$/ },
    default: 'oots-adapter-sandbox',
    doc: 'client_id of the DAGR connection (savienojums) registered in the DAGR self-service portal.',
  },
  DAGR_PRIVATE_KEY_FILE: {
    kind: { type: 'string' },
    default: '',
    doc: 'PEM file with the RSA private key of the certificate registered on the DAGR connection; signs the token request (RS256 client assertion). Required when DAGR_BASE_URL is set; empty with the sandbox = a key generated under var/.',
  },
  DAGR_TOKEN_PATH: {
    kind: { type: 'string', pattern: /^(\/\S*|https?:\/\/\S+)$/ },
    default: '/token',
    doc: 'DAGR token endpoint, relative to DAGR_BASE_URL or absolute (assumed; confirm in https://test.dagr.gov.lv/api). It is also the aud of the client assertion.',
  },
  DAGR_AUTH_SCHEME: {
    kind: { type: 'string', pattern: /^[A-Za-z][A-Za-z0-9-]*$/ },
    default: 'Bearer',
    doc: 'Scheme written before the access token in the Authorization header of DAGR calls (assumed Bearer); none = the bare token.',
  },
  DAGR_TIMEOUT_MS: {
    kind: { type: 'int', min: 100, max: 120_000 },
    default: '8000',
    doc: 'Timeout of one DAGR HTTP attempt (connect and answer).',
  },
  DAGR_RETRIES: {
    kind: { type: 'int', min: 0, max: 10 },
    default: '3',
    doc: 'Retries of a DAGR call after 5xx, connection errors, timeouts and 429 (exponential backoff with full jitter; Retry-After honoured up to 10 s).',
  },
  DAGR_BREAKER_FAILURES: {
    kind: { type: 'int', min: 1, max: 1000 },
    default: '5',
    doc: 'Consecutive failed DAGR attempts (5xx, connection errors, timeouts) that open the circuit breaker; while open, calls fail at once as unavailable.',
  },
  DAGR_BREAKER_RESET_MS: {
    kind: { type: 'int', min: 100, max: 3_600_000 },
    default: '30000',
    doc: 'How long the DAGR circuit breaker stays open before one trial call is let through.',
  },
  PREVIEW_PUBLIC_BASE_URL: {
    kind: { type: 'string', pattern: /^(|https?:\/\/[^\s/?#]+(\/[^\s?#]*[^\s?#/])?)$/ },
    default: '',
    doc: "Public base URL of the preview pages as the citizen's browser reaches them, without a trailing slash; PreviewLocation = <this>/preview/<session>. https in production (R-EDM-ERR-C019). Empty = the embedded default serves them on its own loopback address (http).",
  },
  PREVIEW_RETURN_ORIGINS: {
    kind: { type: 'string' },
    default: '',
    doc: 'Comma-separated origins (scheme://host[:port]) the preview may send the browser back to (v1.x returnurl, v2.0 ReturnLocation); any other return address is refused. Empty = none allowed.',
  },
  PREVIEW_T2_SECONDS: {
    kind: { type: 'int', min: 10, max: 86_400 },
    default: '900',
    doc: 'T2: how long the citizen has to follow the preview link after the preview-required answer (EDM v2.0 chapter 4.4: 15 min).',
  },
  PREVIEW_T3_SECONDS: {
    kind: { type: 'int', min: 10, max: 86_400 },
    default: '2400',
    doc: 'T3: how long the citizen has to decide once the link was opened (EDM v2.0 chapter 4.4: 40 min).',
  },
  PREVIEW_LOGIN_TTL_SECONDS: {
    kind: { type: 'int', min: 60, max: 86_400 },
    default: '1200',
    doc: "Lifetime of the preview login (encrypted cookie), never beyond the session's T3 deadline.",
  },
  PREVIEW_RETENTION_SECONDS: {
    kind: { type: 'int', min: 60, max: 2_592_000 },
    default: '86400',
    doc: 'How long a decided or expired preview session is remembered (decision and state, no evidence) so that request #2 is answered.',
  },
  PREVIEW_NAME_MATCHING: {
    kind: { type: 'enum', values: ['exact', 'fold-diacritics'] },
    default: 'fold-diacritics',
    doc: 'How names of the logged-in person are compared with the request subject (where both carry them).',
  },
  OIDC_ISSUER: {
    kind: { type: 'string', pattern: /^(|https?:\/\/\S+)$/ },
    default: '',
    doc: 'OpenID Connect issuer of the preview login (a broker fronting Latvija.lv / the eIDAS node); discovery at <issuer>/.well-known/openid-configuration. Empty = the embedded sandbox identity provider with synthetic people.',
  },
  OIDC_CLIENT_ID: {
    kind: { type: 'string', pattern: /^\S+$/ },
    default: 'oots-preview',
    doc: 'client_id of the adapter at the OIDC issuer.',
  },
  OIDC_CLIENT_SECRET: {
    kind: { type: 'string' },
    default: '',
    doc: 'client_secret (client_secret_basic); empty = a public client (PKCE only).',
  },
  OIDC_REDIRECT_PATH: {
    kind: { type: 'string', pattern: /^\/preview\/[A-Za-z0-9._~-]+$/ },
    default: '/preview/callback',
    doc: 'Path of the OIDC redirect URI under PREVIEW_PUBLIC_BASE_URL (register <base><path> at the issuer).',
  },
  OIDC_SCOPES: {
    kind: { type: 'string', pattern: /^openid( \S+)*$/ },
    default: 'openid profile',
    doc: 'Scopes requested at login (space-separated, starting with openid).',
  },
  OIDC_IDENTIFIER_CLAIM: {
    kind: { type: 'string', pattern: /^[A-Za-z0-9_:.-]+$/ },
    default: 'person_identifier',
    doc: "ID-token claim holding the person's identifier: an eIDAS identifier (XX/YY/national) or a Latvian personal code.",
  },
  OIDC_ACR_VALUES: {
    kind: { type: 'string', pattern: /^\s*((low|substantial|high)=\S+(\s+|$))*$/i },
    default: '',
    doc: 'The acr values of the levels of assurance at the OIDC issuer, as space-separated level=acr pairs (level: low, substantial, high; the first pair of a level is asked for in acr_values, any listed one is accepted in the acr claim). Empty = the eIDAS URIs http://eidas.europa.eu/LoA/low|substantial|high; these and the plain words are always understood.',
  },
  METRICS_TOKEN: {
    kind: { type: 'string' },
    default: '',
    doc: 'Bearer token Prometheus must send on GET /metrics (at least 16 characters). Empty = /metrics is open: bind the API to a private address or filter it at the proxy.',
  },
  AUDIT_RETENTION_DAYS: {
    kind: { type: 'int', min: 1, max: 3650 },
    default: '365',
    doc: 'Days an audit record (who asked for what evidence about whom (keyed digest), when, outcome, evidence digest) is kept before it is purged.',
  },
  RATE_LIMIT_ADMIN_PER_MINUTE: {
    kind: { type: 'int', min: 1, max: 1_000_000 },
    default: '1200',
    doc: 'Requests one client (IP address) may make to /admin per minute, counted in Redis across every api process; beyond it HTTP 429. The connector intake and the probes are not limited.',
  },
  RATE_LIMIT_PREVIEW_PER_MINUTE: {
    kind: { type: 'int', min: 1, max: 1_000_000 },
    default: '300',
    doc: 'Requests one client may make to the preview pages (/preview) per minute; beyond it HTTP 429.',
  },
  RATE_LIMIT_VALIDATE_PER_MINUTE: {
    kind: { type: 'int', min: 1, max: 1_000_000 },
    default: '600',
    doc: 'Requests one client may make to POST /edm/validate per minute; beyond it HTTP 429.',
  },
  ADMIN_VIEWER_USER: {
    kind: { type: 'string', pattern: /^[^\s:]+$/ },
    default: 'viewer',
    doc: 'User name of the read-only admin role (/admin, /admin/api, /admin/queues).',
  },
  ADMIN_VIEWER_PASSWORD: {
    kind: { type: 'string' },
    default: '',
    doc: 'Password of the read-only admin role (at least 16 characters). Empty = no viewer. With no admin password at all the admin pages are off, except in the embedded default, which generates both roles in <DATA_DIR>/admin-credentials.json.',
  },
  ADMIN_OPERATOR_USER: {
    kind: { type: 'string', pattern: /^[^\s:]+$/ },
    default: 'operator',
    doc: 'User name of the operator admin role (may also retry, clean and remove jobs on the queue dashboard).',
  },
  ADMIN_OPERATOR_PASSWORD: {
    kind: { type: 'string' },
    default: '',
    doc: 'Password of the operator admin role (at least 16 characters). Empty = no operator.',
  },
} as const satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

/** The text of `.env.example`, generated from CONFIG_KEYS. */
export function envExample(): string {
  const lines = ['# OOTS adapter configuration. Every key is optional unless marked required; defaults shown.', ''];
  for (const [key, spec] of Object.entries(CONFIG_KEYS) as [ConfigKey, KeySpec][]) {
    lines.push(`# ${spec.doc}${spec.default === undefined ? ' (required)' : ''}`);
    lines.push(`${key}=${spec.default ?? ''}`);
    lines.push('');
  }
  return lines.join('\n');
}
