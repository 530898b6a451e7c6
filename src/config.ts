/**
 * The one place that reads the environment. Every key is declared below with its type, default
 * and meaning; `loadConfig` checks them all at once, reports every bad key in one error, and
 * returns a frozen, typed object. `.env.example` lists the same keys (a test keeps them in sync).
 */
import { AdapterError } from './errors.js';

type Kind =
  | { readonly type: 'string'; readonly pattern?: RegExp }
  | { readonly type: 'int'; readonly min: number; readonly max: number }
  | { readonly type: 'enum'; readonly values: readonly string[] };

interface KeySpec {
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
  HTTP_HOST: { kind: { type: 'string' }, default: '127.0.0.1', doc: 'Address the HTTP API listens on.' },
  HTTP_PORT: { kind: { type: 'int', min: 0, max: 65535 }, default: '8080', doc: 'Port the HTTP API listens on (0 = any free port).' },
  XML_MAX_BYTES: {
    kind: { type: 'int', min: 1024, max: 100 * 1024 * 1024 },
    default: String(5 * 1024 * 1024),
    doc: 'Largest EDM XML document accepted, in bytes.',
  },
  XML_MAX_DEPTH: { kind: { type: 'int', min: 8, max: 256 }, default: '64', doc: 'Deepest element nesting accepted in an EDM document.' },
  XML_MAX_ELEMENTS: {
    kind: { type: 'int', min: 100, max: 10_000_000 },
    default: '50000',
    doc: 'Most elements accepted in one EDM document.',
  },
  EP_IDENTIFIER: {
    kind: { type: 'string', pattern: /^\S+$/ },
    default: '90000012827',
    doc: 'Identifier of this evidence provider as it appears in ErrorProvider / EvidenceProvider agents.',
  },
  EP_IDENTIFIER_SCHEME: {
    kind: { type: 'string', pattern: /^(urn:cef\.eu:names:identifier:EAS:\d{4}|urn:oasis:names:tc:ebcore:partyid-type:unregistered\S*)$/ },
    default: 'urn:cef.eu:names:identifier:EAS:9939',
    doc: 'schemeID of EP_IDENTIFIER (an EAS code URN or an unregistered party-id type).',
  },
  EP_NAME: { kind: { type: 'string' }, default: 'Latvian OOTS evidence provider (DAGR)', doc: 'Name of this evidence provider (English).' },
  EP_COUNTRY: { kind: { type: 'string', pattern: /^[A-Z]{2}$/ }, default: 'LV', doc: 'ISO 3166-1 alpha-2 country of this evidence provider.' },
} as const satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

export interface Config {
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly http: { readonly host: string; readonly port: number };
  readonly xmlLimits: { readonly maxBytes: number; readonly maxDepth: number; readonly maxElements: number };
  readonly evidenceProvider: {
    readonly identifier: string;
    readonly scheme: string;
    readonly name: string;
    readonly country: string;
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

function readKey(key: ConfigKey, env: Readonly<Record<string, string | undefined>>, problems: string[]): string | number {
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
      if (kind.pattern !== undefined && !kind.pattern.test(value)) problems.push(`${key}="${value}" does not match ${String(kind.pattern)}`);
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

/** Reads and validates the configuration; throws ConfigError listing every problem. */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  const problems: string[] = [];
  const get = (key: ConfigKey): string => String(readKey(key, env, problems));
  const num = (key: ConfigKey): number => Number(readKey(key, env, problems));
  const config: Config = {
    logLevel: get('LOG_LEVEL') as Config['logLevel'],
    http: { host: get('HTTP_HOST'), port: num('HTTP_PORT') },
    xmlLimits: { maxBytes: num('XML_MAX_BYTES'), maxDepth: num('XML_MAX_DEPTH'), maxElements: num('XML_MAX_ELEMENTS') },
    evidenceProvider: {
      identifier: get('EP_IDENTIFIER'),
      scheme: get('EP_IDENTIFIER_SCHEME'),
      name: get('EP_NAME'),
      country: get('EP_COUNTRY'),
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

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
