/**
 * The one place that reads the environment. Every key is declared in src/config-keys.ts with its
 * type, default and meaning; `loadConfig` checks them all at once (and, for `oots-adapter start`,
 * what the role needs), reports every problem in one error, and returns a frozen, typed object.
 * `.env.example` lists the same keys (a test keeps them in sync).
 */
import { parseKey } from './infra/aead.js';
import { AdapterError } from './errors.js';
import type { Agent } from './edm/model.js';
import type { XmlLimits } from './edm/xml/parse.js';
import { CONFIG_KEYS, type ConfigKey, type KeySpec } from './config-keys.js';

export { CONFIG_KEYS, envExample, type ConfigKey } from './config-keys.js';

/** What one process runs: api (intake, preview, admin), worker (queue processing) or all. */
export type Role = 'all' | 'api' | 'worker';

export interface Config {
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly role: Role;
  readonly dataDir: string;
  readonly messageDomain: string;
  readonly notFoundAnswer: 'empty' | 'error';
  /** Procedure 00 (production tests) answered with a test evidence (`SYSTEM_CHECK=on`). */
  readonly systemCheck: boolean;
  readonly http: { readonly host: string; readonly port: number };
  readonly xmlLimits: XmlLimits;
  /** The threads that parse and validate untrusted XML. */
  readonly parse: {
    readonly threads: number;
    readonly timeLimitMs: number;
    readonly maxQueue: number;
    readonly maxHeapMb: number;
  };
  readonly evidenceProvider: {
    readonly identifier: string;
    readonly scheme: string;
    readonly name: string;
    readonly country: string;
  };
  /** AES-256-GCM key (32 bytes); undefined = the embedded default provides one. */
  readonly encryptionKey: Buffer | undefined;
  readonly redis: {
    /** Undefined = start the private Redis (embedded default). */
    readonly url: string | undefined;
    readonly durability: 'write' | 'fsync' | 'replica';
    /** WAIT / WAITAOF timeout, ms. */
    readonly durabilityTimeoutMs: number;
  };
  readonly queue: {
    readonly prefix: string;
    readonly concurrency: number;
    readonly workerNiceness: number;
    readonly processAttempts: number;
    readonly processBackoffMs: number;
    readonly deliveryBackoffMaxMs: number;
    readonly lockMs: number;
    readonly maxStalls: number;
  };
  /** How often each worker runs its sweeps (`*_SWEEP_INTERVAL_MS`). */
  readonly sweeps: {
    readonly recoveryMs: number;
    readonly rescueMs: number;
    readonly deadlineMs: number;
    readonly deliveryMs: number;
    /** RECOVERY_SWEEP_GRACE_MS, DELIVERY_SWEEP_GRACE_MS: how long a job may be missing before a sweep replaces it. */
    readonly recoveryGraceMs: number;
    readonly deliveryGraceMs: number;
  };
  readonly exchangeTtlSeconds: number;
  /** ANSWER_DEADLINE_SECONDS, DELIVERY_DEADLINE_SECONDS (0 = off), REQUEST_REPLAY_SECONDS. */
  readonly deadlines: {
    readonly answerSeconds: number;
    readonly deliverySeconds: number;
    readonly replaySeconds: number;
  };
  readonly connector: {
    /** Undefined = the embedded default generates one. */
    readonly inboundToken: string | undefined;
    readonly maxBodyBytes: number;
    /** Undefined = the embedded connector stand-in. */
    readonly outboundUrl: string | undefined;
    readonly outboundToken: string | undefined;
    readonly outboundTimeoutMs: number;
    /** `rest` (JSON connector) or `domibus-ws` (config.domibus). */
    /** A registered connector type: `rest` (JSON connector), `domibus-ws` (config.domibus), ... */
    readonly mode: string;
  };
  /** The Domibus WS plugin connector (CONNECTOR_MODE=domibus-ws). */
  readonly domibus: {
    /** Undefined = the embedded Domibus stand-in. */
    readonly url: string | undefined;
    readonly user: string | undefined;
    readonly password: string | undefined;
    /** 0 = no scheduled pull. */
    readonly pullIntervalMs: number;
    /** 0 = no sweep. */
    readonly sweepIntervalMs: number;
    readonly timeoutMs: number;
    readonly retrieveMode: 'destructive' | 'confirm';
    /** Undefined = the push endpoint is off. */
    readonly push: { readonly user: string; readonly password: string } | undefined;
  };
  readonly dagr: {
    /** Undefined = the embedded DAGR sandbox. */
    readonly baseUrl: string | undefined;
    readonly clientId: string;
    /** Undefined = the embedded default generates a key (only allowed with the sandbox). */
    readonly privateKeyFile: string | undefined;
    readonly tokenPath: string;
    /** `''` = send the bare token (DAGR_AUTH_SCHEME=none). */
    readonly authScheme: string;
    readonly timeoutMs: number;
    readonly retries: number;
    readonly breaker: { readonly failureThreshold: number; readonly resetAfterMs: number };
  };
  readonly preview: {
    /** Undefined = the embedded default's loopback address. No trailing slash. */
    readonly publicBaseUrl: string | undefined;
    /** Exact origins (`https://host[:port]`) allowed as return addresses. */
    readonly returnOrigins: readonly string[];
    readonly t2Seconds: number;
    readonly t3Seconds: number;
    readonly loginTtlSeconds: number;
    readonly retentionSeconds: number;
    readonly nameMatching: 'exact' | 'fold-diacritics';
  };
  readonly oidc: {
    /** Undefined = the embedded sandbox identity provider. */
    readonly issuer: string | undefined;
    readonly clientId: string;
    /** Undefined = public client. */
    readonly clientSecret: string | undefined;
    readonly redirectPath: string;
    readonly scopes: string;
    readonly identifierClaim: string;
    /** OIDC_ACR_VALUES as written (parsed by identity/acr.ts). */
    readonly acrValues: string;
  };
  readonly ops: {
    /** Undefined = /metrics needs no token. */
    readonly metricsToken: string | undefined;
    readonly auditRetentionDays: number;
    /** Requests per minute one client may make to the human-facing routes (`RATE_LIMIT_*`). */
    readonly rateLimits: { readonly admin: number; readonly preview: number; readonly validate: number };
    /** A role without a password is undefined; both undefined = admin pages off (unless the embedded default generates them). */
    readonly admin: {
      readonly viewer: { readonly user: string; readonly password: string } | undefined;
      readonly operator: { readonly user: string; readonly password: string } | undefined;
    };
  };
}

export class ConfigError extends AdapterError {
  override readonly name = 'ConfigError';
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super('ERR_CONFIG_INVALID', `invalid configuration:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}

function readKey(
  key: ConfigKey,
  env: Readonly<Record<string, string | undefined>>,
  problems: string[],
): string | number {
  const spec: KeySpec = CONFIG_KEYS[key];
  const raw = env[key];
  const value = raw === undefined || raw === '' ? spec.default : raw;
  if (value === undefined) {
    problems.push(`${key} is required: ${spec.doc}`);
    return '';
  }
  const kind = spec.kind;
  switch (kind.type) {
    case 'string':
      if (kind.pattern !== undefined && !kind.pattern.test(value))
        problems.push(`${key}="${value}" does not match ${String(kind.pattern)}`);
      return value;
    case 'int': {
      const n = /^-?\d+$/.test(value) ? Number(value) : NaN;
      if (!Number.isSafeInteger(n) || n < kind.min || n > kind.max) {
        problems.push(`${key}="${value}" must be an integer from ${kind.min} to ${kind.max}`);
      }
      return n;
    }
    case 'enum':
      if (!kind.values.includes(value)) problems.push(`${key}="${value}" must be one of ${kind.values.join(', ')}`);
      return value;
  }
}

/** What `loadConfig` checks besides the keys themselves. */
export interface LoadOptions {
  /**
   * The configuration is for `oots-adapter start` (as `role`, default ADAPTER_ROLE): also check
   * what running that role needs (see `startProblems`). Other commands (mappings, validate, send)
   * need none of it.
   */
  readonly start?: { readonly role?: Role | undefined } | undefined;
}

/** Reads and validates the configuration; throws ConfigError listing every problem. */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: LoadOptions = {},
): Config {
  const problems: string[] = [];
  const get = (key: ConfigKey): string => String(readKey(key, env, problems));
  const num = (key: ConfigKey): number => Number(readKey(key, env, problems));
  const config = readConfig(get, num, problems);
  problems.push(...crossKeyProblems(config));
  if (options.start !== undefined) problems.push(...startProblems(config, options.start.role ?? config.role));
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

/** The configuration of `oots-adapter start` (as `role`, default ADAPTER_ROLE): keys and role rules in one error. */
export function loadStartConfig(role?: Role, env: Readonly<Record<string, string | undefined>> = process.env): Config {
  return loadConfig(env, { start: { role } });
}

/**
 * What running `role` needs beyond valid keys. Without REDIS_URL the embedded default brings its
 * own Redis, secrets and stand-ins, which only one process running everything can share.
 */
export function startProblems(config: Config, role: Role): string[] {
  const problems: string[] = [];
  const embedded = config.redis.url === undefined;
  if (embedded && role !== 'all')
    problems.push(`role ${role} needs REDIS_URL: the embedded default runs everything in one process (role all)`);
  if (!embedded && config.encryptionKey === undefined)
    problems.push('ENCRYPTION_KEY is required when REDIS_URL is set');
  if (!embedded && role !== 'worker' && config.connector.mode === 'rest' && config.connector.inboundToken === undefined)
    problems.push('CONNECTOR_INBOUND_TOKEN is required when REDIS_URL is set');
  if (config.connector.mode === 'domibus-ws' && config.domibus.url === undefined && role !== 'all')
    problems.push('DOMIBUS_WS_URL is required unless one process runs everything (role all) with the Domibus stand-in');
  // Role all without CONNECTOR_OUTBOUND_URL delivers to its own connector stand-in.
  if (config.connector.mode === 'rest' && config.connector.outboundUrl === undefined && role === 'worker')
    problems.push('CONNECTOR_OUTBOUND_URL is required for a worker without the embedded stand-in');
  return problems;
}

/** Throws ConfigError when `config` cannot run as `role` (start() given a configuration directly). */
export function assertStartable(config: Config, role: Role): void {
  const problems = startProblems(config, role);
  if (problems.length > 0) throw new ConfigError(problems);
}

function readConfig(get: (key: ConfigKey) => string, num: (key: ConfigKey) => number, problems: string[]): Config {
  return {
    logLevel: get('LOG_LEVEL') as Config['logLevel'],
    role: get('ADAPTER_ROLE') as Config['role'],
    dataDir: get('DATA_DIR'),
    messageDomain: get('MESSAGE_DOMAIN'),
    notFoundAnswer: get('NOT_FOUND_ANSWER') as Config['notFoundAnswer'],
    systemCheck: get('SYSTEM_CHECK') === 'on',
    http: { host: get('HTTP_HOST'), port: num('HTTP_PORT') },
    xmlLimits: {
      maxBytes: num('XML_MAX_BYTES'),
      maxDepth: num('XML_MAX_DEPTH'),
      maxElements: num('XML_MAX_ELEMENTS'),
      maxNamespacesPerElement: num('XML_MAX_NAMESPACES_PER_ELEMENT'),
      maxNamespaces: num('XML_MAX_NAMESPACES'),
      maxAttributesPerElement: num('XML_MAX_ATTRIBUTES_PER_ELEMENT'),
      maxAttributes: num('XML_MAX_ATTRIBUTES'),
    },
    parse: {
      threads: num('PARSE_THREADS'),
      timeLimitMs: num('PARSE_TIME_LIMIT_MS'),
      maxQueue: num('PARSE_QUEUE_MAX'),
      maxHeapMb: num('PARSE_THREAD_MAX_HEAP_MB'),
    },
    evidenceProvider: {
      identifier: get('EP_IDENTIFIER'),
      scheme: get('EP_IDENTIFIER_SCHEME'),
      name: get('EP_NAME'),
      country: get('EP_COUNTRY'),
    },
    encryptionKey: encryptionKey(get('ENCRYPTION_KEY'), problems),
    redis: {
      url: optional(get('REDIS_URL')),
      durability: get('REDIS_DURABILITY') as Config['redis']['durability'],
      durabilityTimeoutMs: num('REDIS_DURABILITY_TIMEOUT_MS'),
    },
    queue: {
      prefix: get('QUEUE_PREFIX'),
      concurrency: num('WORKER_CONCURRENCY'),
      workerNiceness: num('WORKER_NICENESS'),
      processAttempts: num('PROCESS_ATTEMPTS'),
      processBackoffMs: num('PROCESS_BACKOFF_MS'),
      deliveryBackoffMaxMs: num('DELIVERY_BACKOFF_MAX_MS'),
      lockMs: num('JOB_LOCK_MS'),
      maxStalls: num('JOB_MAX_STALLS'),
    },
    sweeps: {
      recoveryMs: num('RECOVERY_SWEEP_INTERVAL_MS'),
      rescueMs: num('RESCUE_SWEEP_INTERVAL_MS'),
      deadlineMs: num('DEADLINE_SWEEP_INTERVAL_MS'),
      deliveryMs: num('DELIVERY_SWEEP_INTERVAL_MS'),
      recoveryGraceMs: num('RECOVERY_SWEEP_GRACE_MS'),
      deliveryGraceMs: num('DELIVERY_SWEEP_GRACE_MS'),
    },
    exchangeTtlSeconds: num('EXCHANGE_TTL_SECONDS'),
    deadlines: {
      answerSeconds: num('ANSWER_DEADLINE_SECONDS'),
      deliverySeconds: num('DELIVERY_DEADLINE_SECONDS'),
      replaySeconds: num('REQUEST_REPLAY_SECONDS'),
    },
    connector: {
      inboundToken: secret('CONNECTOR_INBOUND_TOKEN', get('CONNECTOR_INBOUND_TOKEN'), problems),
      maxBodyBytes: num('CONNECTOR_MAX_BODY_BYTES'),
      outboundUrl: optional(get('CONNECTOR_OUTBOUND_URL')),
      outboundToken: optional(get('CONNECTOR_OUTBOUND_TOKEN')),
      outboundTimeoutMs: num('CONNECTOR_OUTBOUND_TIMEOUT_MS'),
      mode: get('CONNECTOR_MODE'),
    },
    domibus: {
      url: optional(get('DOMIBUS_WS_URL')),
      user: optional(get('DOMIBUS_USER')),
      password: optional(get('DOMIBUS_PASSWORD')),
      pullIntervalMs: num('DOMIBUS_PULL_INTERVAL_MS'),
      sweepIntervalMs: num('DOMIBUS_SWEEP_INTERVAL_MS'),
      timeoutMs: num('DOMIBUS_TIMEOUT_MS'),
      retrieveMode: get('DOMIBUS_RETRIEVE_MODE') as Config['domibus']['retrieveMode'],
      push: pushAuth(get('DOMIBUS_PUSH_USER'), get('DOMIBUS_PUSH_PASSWORD'), problems),
    },
    dagr: {
      baseUrl: optional(get('DAGR_BASE_URL')),
      clientId: get('DAGR_CLIENT_ID'),
      privateKeyFile: optional(get('DAGR_PRIVATE_KEY_FILE')),
      tokenPath: get('DAGR_TOKEN_PATH'),
      authScheme: get('DAGR_AUTH_SCHEME').toLowerCase() === 'none' ? '' : get('DAGR_AUTH_SCHEME'),
      timeoutMs: num('DAGR_TIMEOUT_MS'),
      retries: num('DAGR_RETRIES'),
      breaker: { failureThreshold: num('DAGR_BREAKER_FAILURES'), resetAfterMs: num('DAGR_BREAKER_RESET_MS') },
    },
    preview: {
      publicBaseUrl: optional(get('PREVIEW_PUBLIC_BASE_URL')),
      returnOrigins: origins(get('PREVIEW_RETURN_ORIGINS'), problems),
      t2Seconds: num('PREVIEW_T2_SECONDS'),
      t3Seconds: num('PREVIEW_T3_SECONDS'),
      loginTtlSeconds: num('PREVIEW_LOGIN_TTL_SECONDS'),
      retentionSeconds: num('PREVIEW_RETENTION_SECONDS'),
      nameMatching: get('PREVIEW_NAME_MATCHING') as Config['preview']['nameMatching'],
    },
    oidc: {
      issuer: optional(get('OIDC_ISSUER')),
      clientId: get('OIDC_CLIENT_ID'),
      clientSecret: optional(get('OIDC_CLIENT_SECRET')),
      redirectPath: get('OIDC_REDIRECT_PATH'),
      scopes: get('OIDC_SCOPES'),
      identifierClaim: get('OIDC_IDENTIFIER_CLAIM'),
      acrValues: get('OIDC_ACR_VALUES'),
    },
    ops: {
      metricsToken: secret('METRICS_TOKEN', get('METRICS_TOKEN'), problems),
      auditRetentionDays: num('AUDIT_RETENTION_DAYS'),
      rateLimits: {
        admin: num('RATE_LIMIT_ADMIN_PER_MINUTE'),
        preview: num('RATE_LIMIT_PREVIEW_PER_MINUTE'),
        validate: num('RATE_LIMIT_VALIDATE_PER_MINUTE'),
      },
      admin: {
        viewer: adminRole('ADMIN_VIEWER', get('ADMIN_VIEWER_USER'), get('ADMIN_VIEWER_PASSWORD'), problems),
        operator: adminRole('ADMIN_OPERATOR', get('ADMIN_OPERATOR_USER'), get('ADMIN_OPERATOR_PASSWORD'), problems),
      },
    },
  };
}

/** Rules between keys. */
function crossKeyProblems(config: Config): string[] {
  const problems: string[] = [];
  if (config.ops.admin.viewer !== undefined && config.ops.admin.viewer.user === config.ops.admin.operator?.user) {
    problems.push('ADMIN_VIEWER_USER and ADMIN_OPERATOR_USER must differ');
  }
  if (config.dagr.baseUrl !== undefined && config.dagr.privateKeyFile === undefined) {
    problems.push(
      'DAGR_PRIVATE_KEY_FILE is required when DAGR_BASE_URL is set (the connection key signs the token request)',
    );
  }
  if (
    config.domibus.url !== undefined &&
    (config.domibus.user === undefined || config.domibus.password === undefined)
  ) {
    problems.push(
      'DOMIBUS_USER and DOMIBUS_PASSWORD are required when DOMIBUS_WS_URL is set (the WS plugin authenticates plugin users)',
    );
  }
  if (config.redis.url?.startsWith('redis-cluster://') === true && !/\{[^{}]+\}/.test(config.queue.prefix)) {
    problems.push(
      `QUEUE_PREFIX="${config.queue.prefix}" has no {hash tag}: on Redis Cluster the keys of one queue or exchange must share a slot; use e.g. QUEUE_PREFIX={oots}`,
    );
  }
  return problems;
}

/** The push endpoint's credentials; the password is checked without echoing it. */
function pushAuth(user: string, password: string, problems: string[]): { user: string; password: string } | undefined {
  if (password === '') return undefined;
  if (password.length < 16 || /\s/.test(password))
    problems.push('DOMIBUS_PUSH_PASSWORD must be at least 16 characters without spaces');
  return { user, password };
}

/** An admin role: absent without a password; the password is checked without echoing it. */
function adminRole(
  prefix: 'ADMIN_VIEWER' | 'ADMIN_OPERATOR',
  user: string,
  password: string,
  problems: string[],
): { user: string; password: string } | undefined {
  if (password === '') return undefined;
  if (password.length < 16 || /\s/.test(password))
    problems.push(`${prefix}_PASSWORD must be at least 16 characters without spaces`);
  return { user, password };
}

function optional(value: string): string | undefined {
  return value === '' ? undefined : value;
}

/** `PREVIEW_RETURN_ORIGINS`: comma-separated `scheme://host[:port]`, normalised by the URL parser. */
function origins(value: string, problems: string[]): string[] {
  const out: string[] = [];
  for (const item of value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    let url: URL | undefined;
    try {
      url = new URL(item);
    } catch {
      url = undefined;
    }
    const bare =
      url !== undefined && url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '';
    if (url === undefined || !/^https?:$/.test(url.protocol) || !bare || /\/[^/]/.test(item.replace(/^\w+:\/\//, ''))) {
      problems.push(`PREVIEW_RETURN_ORIGINS item "${item}" must be an origin: scheme://host[:port], no path`);
      continue;
    }
    out.push(url.origin);
  }
  return out;
}

/** Secrets are checked without echoing their value into the error. */
function encryptionKey(value: string, problems: string[]): Buffer | undefined {
  if (value === '') return undefined;
  const key = parseKey(value);
  if (typeof key === 'string') {
    problems.push(`ENCRYPTION_KEY ${key}`);
    return undefined;
  }
  return key;
}

function secret(key: ConfigKey, value: string, problems: string[]): string | undefined {
  if (value === '') return undefined;
  if (value.length < 16 || /\s/.test(value)) problems.push(`${key} must be at least 16 characters without spaces`);
  return value;
}

function deepFreeze<T>(o: T): T {
  // Typed arrays (the encryption key) cannot be frozen; the object holding them is.
  if (o !== null && typeof o === 'object' && !ArrayBuffer.isView(o)) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** The evidence provider as the EDM messages name it (`EP_*` settings). */
export function providerAgent(ep: Config['evidenceProvider']): Agent {
  return {
    identifier: { value: ep.identifier, schemeID: ep.scheme },
    names: [{ lang: 'EN', value: ep.name }],
    address: { adminUnitLevel1: ep.country },
    classification: undefined,
  };
}
