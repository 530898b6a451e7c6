/**
 * The REST connector envelope (issue 3): one JSON document carrying the AS4 user message and its
 * payload parts, in both directions.
 *
 *   { "userMessage": { "messageId", "timestamp"?, "conversationId",
 *                      "from": { "partyId", "partyIdType"?, "role" }, "to": { ... },
 *                      "service", "serviceType"?, "action",
 *                      "properties": [ { "name", "value", "type"? } ] },
 *     "payloads": [ { "href": "cid:...", "mimeType", "contentBase64", "properties"?: [...] } ] }
 *
 * The optional payload `properties` carry further ebMS part properties (PayloadName,
 * CompressionType...); MimeType is always taken from `mimeType`. Validation is JSON Schema (ajv)
 * plus what a schema cannot say cheaply (strict base64, decoded sizes, unique hrefs); every problem
 * names the field by JSON pointer.
 */
import AjvModule, { type ErrorObject } from 'ajv';
import { EBRS_MIME_TYPE, type EbmsProperty, type PayloadPart, type UserMessage } from '../ebms/model.js';
import { AdapterError } from '../errors.js';
import type { OutboundMessage } from '../exchange/ports.js';
import { textProblems } from './identifiers.js';

const Ajv = AjvModule.default;

export interface EnvelopeProperty {
  name: string;
  value: string;
  type?: string;
}
export interface EnvelopeParty {
  partyId: string;
  partyIdType?: string;
  role: string;
}
export interface EnvelopePayload {
  href: string;
  mimeType: string;
  contentBase64: string;
  properties?: EnvelopeProperty[];
}
export interface RestEnvelope {
  userMessage: {
    messageId: string;
    timestamp?: string;
    conversationId: string;
    from: EnvelopeParty;
    to: EnvelopeParty;
    service: string;
    serviceType?: string;
    action: string;
    properties: EnvelopeProperty[];
  };
  payloads: EnvelopePayload[];
}

export interface EnvelopeProblem {
  /** JSON pointer of the offending field, e.g. `/userMessage/from/partyId`. */
  readonly field: string;
  readonly message: string;
}

export class EnvelopeError extends AdapterError {
  override readonly name = 'EnvelopeError';
  readonly problems: readonly EnvelopeProblem[];
  /** 413 when a size limit was exceeded, 400 otherwise. */
  readonly status: 400 | 413;
  constructor(problems: readonly EnvelopeProblem[], status: 400 | 413 = 400) {
    super(
      'ERR_ENVELOPE_INVALID',
      `invalid connector envelope: ${problems.map((p) => `${p.field || '/'} ${p.message}`).join('; ')}`,
    );
    this.problems = problems;
    this.status = status;
  }
}

export interface EnvelopeLimits {
  /** Most payload parts. Default 20. */
  readonly maxPayloads: number;
  /** Largest decoded part, in bytes. Default 15 MiB. */
  readonly maxPayloadBytes: number;
}
export const DEFAULT_ENVELOPE_LIMITS: EnvelopeLimits = { maxPayloads: 20, maxPayloadBytes: 15 * 1024 * 1024 };

// No control characters (CR, LF, NUL...) in header values: they end up in ebMS headers, SOAP and logs.
const NO_CONTROL = '^[^\\u0000-\\u001f\\u007f]*$';
const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max, pattern: NO_CONTROL }) as const;
const property = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'value'],
  properties: { name: text(256), value: { type: 'string', maxLength: 4096, pattern: NO_CONTROL }, type: text(256) },
} as const;
const party = {
  type: 'object',
  additionalProperties: false,
  required: ['partyId', 'role'],
  properties: { partyId: text(512), partyIdType: text(512), role: text(512) },
} as const;

/** JSON Schema of the envelope (draft 2020-12 compatible; docs/openapi.yaml shows the same shape). */
export const ENVELOPE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['userMessage', 'payloads'],
  properties: {
    userMessage: {
      type: 'object',
      additionalProperties: false,
      required: ['messageId', 'conversationId', 'from', 'to', 'service', 'action', 'properties'],
      properties: {
        messageId: text(1024),
        timestamp: text(64),
        conversationId: text(1024),
        from: party,
        to: party,
        service: text(512),
        serviceType: text(512),
        action: text(256),
        properties: { type: 'array', maxItems: 64, items: property },
      },
    },
    payloads: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['href', 'mimeType', 'contentBase64'],
        properties: {
          href: { type: 'string', pattern: '^cid:\\S+$', maxLength: 1024 },
          mimeType: { type: 'string', pattern: '^[\\w.+-]+/[\\w.+-]+$', maxLength: 255 },
          contentBase64: { type: 'string' },
          properties: { type: 'array', maxItems: 32, items: property },
        },
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: true });
const validateShape = ajv.compile<RestEnvelope>(ENVELOPE_SCHEMA);

function problemOf(e: ErrorObject): EnvelopeProblem {
  switch (e.keyword) {
    case 'required':
      return { field: `${e.instancePath}/${String(e.params.missingProperty)}`, message: 'is required' };
    case 'additionalProperties':
      return { field: `${e.instancePath}/${String(e.params.additionalProperty)}`, message: 'is not allowed' };
    default:
      return { field: e.instancePath, message: e.message ?? 'is invalid' };
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes strict standard base64 (padding required, no whitespace); undefined when not base64. */
export function decodeBase64Strict(s: string): Buffer | undefined {
  if (s.length % 4 !== 0 || !BASE64.test(s)) return undefined;
  const buf = Buffer.from(s, 'base64');
  // Non-canonical trailing bits (e.g. "QR==") decode but do not round-trip: check the last quantum.
  if (buf.length !== (s.length / 4) * 3 - (s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0)) return undefined;
  const last = s.slice(-4);
  if (last !== '' && Buffer.from(last, 'base64').toString('base64') !== last) return undefined;
  return buf;
}

export interface ParsedEnvelope {
  readonly userMessage: UserMessage;
  readonly payloads: { readonly href: string; readonly mimeType: string; readonly bytes: Buffer }[];
}

export interface ParseOptions {
  readonly limits?: EnvelopeLimits;
  /** Refuse any other ebMS action. */
  readonly action?: string;
  /** Require a part of this MIME type (the RegRep part). */
  readonly requireMimeType?: string;
}

/** Validates an envelope and converts it to the ebMS model with decoded payloads. */
export function parseEnvelope(json: unknown, opts: ParseOptions = {}): ParsedEnvelope {
  const limits = opts.limits ?? DEFAULT_ENVELOPE_LIMITS;
  if (!validateShape(json)) throw new EnvelopeError((validateShape.errors ?? []).map(problemOf));
  const env = json;
  // Before any dedupe: ids that differ only in a lone surrogate must not collapse into one.
  const textual = [
    ...textProblems(env.userMessage, '/userMessage'),
    ...env.payloads.flatMap((p, i) => textProblems({ href: p.href, properties: p.properties }, `/payloads/${i}`)),
  ];
  if (textual.length > 0) throw new EnvelopeError(textual);
  const problems: EnvelopeProblem[] = [];
  let tooLarge = false;
  if (env.payloads.length > limits.maxPayloads) {
    throw new EnvelopeError(
      [{ field: '/payloads', message: `has ${env.payloads.length} parts; at most ${limits.maxPayloads} allowed` }],
      413,
    );
  }
  if (opts.action !== undefined && env.userMessage.action !== opts.action) {
    problems.push({ field: '/userMessage/action', message: `must be ${opts.action}` });
  }
  const seen = new Set<string>();
  const payloads: ParsedEnvelope['payloads'] = [];
  env.payloads.forEach((p, i) => {
    if (seen.has(p.href)) problems.push({ field: `/payloads/${i}/href`, message: `duplicates another part's href` });
    seen.add(p.href);
    if (Math.floor((p.contentBase64.length / 4) * 3) > limits.maxPayloadBytes + 2) {
      tooLarge = true;
      problems.push({ field: `/payloads/${i}/contentBase64`, message: `exceeds ${limits.maxPayloadBytes} bytes` });
      return;
    }
    const bytes = decodeBase64Strict(p.contentBase64);
    if (bytes === undefined) {
      problems.push({
        field: `/payloads/${i}/contentBase64`,
        message: 'is not strict standard base64 (padded, no whitespace)',
      });
      return;
    }
    if (bytes.length > limits.maxPayloadBytes) {
      tooLarge = true;
      problems.push({ field: `/payloads/${i}/contentBase64`, message: `exceeds ${limits.maxPayloadBytes} bytes` });
      return;
    }
    payloads.push({ href: p.href, mimeType: p.mimeType, bytes });
  });
  if (opts.requireMimeType !== undefined && !env.payloads.some((p) => p.mimeType === opts.requireMimeType)) {
    problems.push({ field: '/payloads', message: `must contain a ${opts.requireMimeType} part` });
  }
  if (problems.length > 0) throw new EnvelopeError(problems, tooLarge ? 413 : 400);
  const um = env.userMessage;
  const userMessage: UserMessage = {
    messageId: um.messageId,
    ...(um.timestamp === undefined ? {} : { timestamp: um.timestamp }),
    from: toParty(um.from),
    to: toParty(um.to),
    service: um.service,
    serviceType: um.serviceType,
    action: um.action,
    conversationId: um.conversationId,
    properties: um.properties.map(toProperty),
    payloads: env.payloads.map((p): PayloadPart => ({
      href: p.href,
      mimeType: p.mimeType,
      properties: [
        { name: 'MimeType', value: p.mimeType },
        ...(p.properties ?? []).filter((q) => q.name !== 'MimeType').map(toProperty),
      ],
    })),
  };
  return { userMessage, payloads };
}

const toParty = (p: EnvelopeParty) => ({ partyId: p.partyId, partyIdType: p.partyIdType, role: p.role });
const toProperty = (p: EnvelopeProperty): EbmsProperty =>
  p.type === undefined ? { name: p.name, value: p.value } : { name: p.name, value: p.value, type: p.type };

/**
 * The envelope of an outbound message: the RegRep part first, then one part per attachment; hrefs
 * are the cids of the header's PartInfo (the RegRep part's href comes from the header's
 * `application/x-ebrs+xml` part, or `cid:regrep@<messageId domain>` when the header has none).
 */
export function toEnvelope(message: OutboundMessage): RestEnvelope {
  const um = message.userMessage;
  const partOf = (href: string): PayloadPart | undefined => um.payloads.find((p) => p.href === href);
  const regrepPart = um.payloads.find((p) => p.mimeType === EBRS_MIME_TYPE);
  const regrepHref = regrepPart?.href ?? `cid:regrep@${um.messageId.split('@')[1] ?? 'oots.local'}`;
  const extra = (href: string): EnvelopeProperty[] | undefined => {
    const props = (partOf(href)?.properties ?? []).filter((p) => p.name !== 'MimeType').map(fromProperty);
    return props.length > 0 ? props : undefined;
  };
  const part = (href: string, mimeType: string, bytes: Uint8Array): EnvelopePayload => {
    const props = extra(href);
    return {
      href,
      mimeType,
      contentBase64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
      ...(props === undefined ? {} : { properties: props }),
    };
  };
  return {
    userMessage: {
      messageId: um.messageId,
      ...(um.timestamp === undefined ? {} : { timestamp: um.timestamp }),
      conversationId: um.conversationId,
      from: fromParty(um.from),
      to: fromParty(um.to),
      service: um.service,
      ...(um.serviceType === undefined ? {} : { serviceType: um.serviceType }),
      action: um.action,
      properties: um.properties.map(fromProperty),
    },
    payloads: [
      part(regrepHref, EBRS_MIME_TYPE, Buffer.from(message.regrep, 'utf8')),
      ...message.attachments.map((a) => part(a.href, a.mimeType, a.bytes)),
    ],
  };
}

const fromParty = (p: { partyId: string; partyIdType: string | undefined; role: string }): EnvelopeParty =>
  p.partyIdType === undefined
    ? { partyId: p.partyId, role: p.role }
    : { partyId: p.partyId, partyIdType: p.partyIdType, role: p.role };
const fromProperty = (p: EbmsProperty): EnvelopeProperty =>
  p.type === undefined ? { name: p.name, value: p.value } : { name: p.name, value: p.value, type: p.type };
