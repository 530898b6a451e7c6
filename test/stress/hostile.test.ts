/**
 * The hostile-input corpus: each case is sent to a real adapter process (or, for the surfaces main
 * does not mount yet, to the real router in this process) and must get its exact refusal — an HTTP
 * status with problem details at the edge, or an EDM:ERR:0003 answer in the connector stand-in's
 * outbox when the bytes only look bad to the worker. After the corpus the process is still up and
 * its memory is bounded.
 *
 * Surfaces: the REST intake (POST /connector/messages), payloads that reach the worker, POST
 * /edm/validate, the admin pages (/admin, /admin/api, /admin/queues, /metrics), the Domibus push
 * endpoint (createDomibusPushRouter under buildApp, as main mounts it) and the preview pages
 * (createPreviewRouter with a fake OIDC login).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { RestEnvelope } from '../../src/connector/envelope.js';
import { basicAuthorization } from '../../src/connector/domibus/auth.js';
import { createDomibusPushRouter, DOMIBUS_PUSH_PATH } from '../../src/connector/domibus/receiver.js';
import { generateKey } from '../../src/infra/aead.js';
import { buildApp } from '../../src/http/app.js';
import { deriveCookieKey } from '../../src/preview/cookies.js';
import type { OidcLogin } from '../../src/preview/oidc.js';
import { createPreviewRouter } from '../../src/preview/router.js';
import { createPreviewStore } from '../../src/preview/session-store.js';
import { deleteKeys } from '../support/connector-fixtures.js';
import { startAdapter, type AdapterProcess } from '../support/processes.js';
import {
  awaitAnswers,
  deleteKeysAt,
  envelopeOf,
  example,
  fresh,
  readOutbox,
  rssBytes,
  stressEnv,
  stressPrefix,
} from '../support/stress-harness.js';
import { sessionInput } from '../integration/preview-support.js';
import { attributeFlood, deepNesting, longNames, manySmallElements, namespaceFlood, strayChildren, textAndComments } from '../support/hostile-xml.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const prefix = stressPrefix('hostile');
const dataDir = mkdtempSync(path.join(tmpdir(), 'oots-hostile-'));
const token = randomBytes(16).toString('hex');
const viewer = { user: 'viewer', password: randomBytes(12).toString('hex') };
const operator = { user: 'operator', password: randomBytes(12).toString('hex') };
const metricsToken = randomBytes(16).toString('hex');
const MAX_BODY = 10 * 1024 * 1024;

let adapter: AdapterProcess;
let api: string;

beforeAll(async () => {
  adapter = await startAdapter(
    {
      ...stressEnv({ redisUrl: REDIS_URL, prefix, token, key: randomBytes(32).toString('base64'), dataDir }),
      LOG_LEVEL: 'info',
      CONNECTOR_MAX_BODY_BYTES: String(MAX_BODY),
      ADMIN_VIEWER_PASSWORD: viewer.password,
      ADMIN_OPERATOR_PASSWORD: operator.password,
      METRICS_TOKEN: metricsToken,
      PROCESS_BACKOFF_MS: '100',
      // The corpus asserts outcomes, not speed: a loaded test machine must not turn a judgement
      // into a time-limit refusal (test/integration/parse-pool.test.ts covers the limit).
      PARSE_TIME_LIMIT_MS: '20000',
    },
    ['--role', 'all'],
  );
  api = adapter.ready.api!;
}, 120_000);

afterAll(async () => {
  await adapter?.stop();
  await deleteKeysAt(REDIS_URL, prefix);
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

// ---------------------------------------------------------------------------------------------
// Building blocks

const base = (): RestEnvelope => envelopeOf(example('lv-birth-certificate-pdf'));
const b64 = (s: string | Buffer): string => (typeof s === 'string' ? Buffer.from(s, 'utf8') : s).toString('base64');

/** A well-formed envelope whose RegRep part carries `bytes`. */
function withPayload(bytes: string | Buffer): RestEnvelope {
  const e = base();
  return { ...e, payloads: [{ ...e.payloads[0]!, contentBase64: b64(bytes) }] };
}

const QUERY_NS = 'urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0';
const valid = (): string => fresh(example('lv-birth-certificate-pdf'));
/** The valid request with `extra` inserted right after the root's start tag. */
const inside = (extra: string): string => valid().replace(/(<query:QueryRequest\b[^>]*>)/, `$1${extra}`);

interface Sent {
  readonly status: number;
  readonly type: string | null;
  readonly body: string;
}

async function send(pathname: string, init: RequestInit): Promise<Sent> {
  const res = await fetch(`${api}${pathname}`, { ...init, redirect: 'manual' });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

function intake(body: string | Buffer, headers: Record<string, string> = {}): Promise<Sent> {
  return send('/connector/messages', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: bodyOf(body),
  });
}

const json = (e: unknown): string => JSON.stringify(e);
/** A fetch body from text or bytes. */
const bodyOf = (b: string | Buffer): string | Uint8Array<ArrayBuffer> => (typeof b === 'string' ? b : new Uint8Array(b));
const problems = (s: Sent): { field: string; message: string }[] =>
  (JSON.parse(s.body) as { problems?: { field: string; message: string }[] }).problems ?? [];

// ---------------------------------------------------------------------------------------------
// 1. The REST intake refuses at the edge

interface EdgeCase {
  readonly name: string;
  readonly send: () => Promise<Sent>;
  readonly status: number;
  /** A JSON pointer that must be named in `problems` (400/413 envelope refusals). */
  readonly field?: string;
}

const hugeString = (n: number): string => 'A'.repeat(n);

const EDGE: EdgeCase[] = [
  { name: 'no Authorization header', send: () => intake(json(base()), { authorization: '' }), status: 401 },
  { name: 'wrong bearer token', send: () => intake(json(base()), { authorization: `Bearer ${randomBytes(16).toString('hex')}` }), status: 401 },
  { name: 'token as Basic credentials', send: () => intake(json(base()), { authorization: `Basic ${b64(`x:${token}`)}` }), status: 401 },
  { name: 'bearer with trailing junk', send: () => intake(json(base()), { authorization: `Bearer ${token} extra` }), status: 401 },
  { name: 'token prefix only', send: () => intake(json(base()), { authorization: `Bearer ${token.slice(0, 16)}` }), status: 401 },
  { name: 'content type text/plain', send: () => intake(json(base()), { 'content-type': 'text/plain' }), status: 415 },
  { name: 'content type application/xml', send: () => intake(valid(), { 'content-type': 'application/xml' }), status: 415 },
  { name: 'content type multipart/form-data', send: () => intake(json(base()), { 'content-type': 'multipart/form-data; boundary=x' }), status: 415 },
  { name: 'content type application/x-www-form-urlencoded', send: () => intake('a=1', { 'content-type': 'application/x-www-form-urlencoded' }), status: 415 },
  { name: 'invalid JSON', send: () => intake('{"userMessage": '), status: 400, field: '' },
  { name: 'JSON scalar (strict mode)', send: () => intake('"just a string"'), status: 400, field: '' },
  { name: 'JSON array', send: () => intake('[]'), status: 400, field: '' },
  { name: 'JSON null', send: () => intake('null'), status: 400, field: '' },
  { name: 'declared charset utf-16', send: () => intake(json(base()), { 'content-type': 'application/json; charset=utf-16' }), status: 400, field: '' },
  { name: 'deeply nested JSON (100 000 levels)', send: () => intake('['.repeat(100_000) + ']'.repeat(100_000)), status: 400 },
  { name: 'body over CONNECTOR_MAX_BODY_BYTES', send: () => intake(json({ ...base(), pad: hugeString(MAX_BODY + 1024) })), status: 413 },
  {
    name: 'too many payload parts (21)',
    send: () => {
      const e = base();
      const parts = Array.from({ length: 21 }, (_, i) => ({ ...e.payloads[0]!, href: `cid:p${i}@x` }));
      return intake(json({ ...e, payloads: parts }));
    },
    status: 413,
    field: '/payloads',
  },
  { name: 'no payload parts', send: () => intake(json({ ...base(), payloads: [] })), status: 400, field: '/payloads' },
  {
    name: 'no RegRep part (only a PDF)',
    send: () => {
      const e = base();
      return intake(json({ ...e, payloads: [{ href: 'cid:a@x', mimeType: 'application/pdf', contentBase64: b64('%PDF-1.7') }] }));
    },
    status: 400,
    field: '/payloads',
  },
  { name: 'base64 with a line break', send: () => intake(json(withB64(`${b64(valid()).slice(0, 76)}\n${b64(valid()).slice(76)}`))), status: 400, field: '/payloads/0/contentBase64' },
  { name: 'base64 without padding', send: () => intake(json(withB64('QUJD' + 'QQ'))), status: 400, field: '/payloads/0/contentBase64' },
  { name: 'base64 with non-canonical trailing bits', send: () => intake(json(withB64('QR=='))), status: 400, field: '/payloads/0/contentBase64' },
  { name: 'base64url alphabet', send: () => intake(json(withB64('-_-_'))), status: 400, field: '/payloads/0/contentBase64' },
  { name: 'base64 with a NUL character', send: () => intake(json(withB64('QUJD\u0000'))), status: 400, field: '/payloads/0/contentBase64' },
  { name: 'href not a cid: (http URL)', send: () => intake(json(withHref('http://attacker.example/x'))), status: 400, field: '/payloads/0/href' },
  { name: 'href cid: with whitespace', send: () => intake(json(withHref('cid:a b@x'))), status: 400, field: '/payloads/0/href' },
  { name: 'href cid: with CRLF', send: () => intake(json(withHref('cid:a@x\r\nX-Injected: 1'))), status: 400, field: '/payloads/0/href' },
  {
    name: 'two parts with the same cid',
    send: () => {
      const e = base();
      return intake(json({ ...e, payloads: [e.payloads[0]!, { ...e.payloads[0]!, mimeType: 'application/pdf' }] }));
    },
    status: 400,
    field: '/payloads/1/href',
  },
  { name: 'mimeType with CRLF header injection', send: () => intake(json(withMime('application/x-ebrs+xml\r\nX-Injected: 1'))), status: 400, field: '/payloads/0/mimeType' },
  { name: 'wrong ebMS action (ExecuteQueryResponse)', send: () => intake(json(withUm({ action: 'ExecuteQueryResponse' }))), status: 400, field: '/userMessage/action' },
  { name: 'missing messageId', send: () => intake(json(withUm({ messageId: undefined }))), status: 400, field: '/userMessage/messageId' },
  { name: 'empty conversationId', send: () => intake(json(withUm({ conversationId: '' }))), status: 400, field: '/userMessage/conversationId' },
  { name: 'messageId over 1024 characters', send: () => intake(json(withUm({ messageId: `${'m'.repeat(1100)}@x` }))), status: 400, field: '/userMessage/messageId' },
  { name: '65 message properties', send: () => intake(json(withUm({ properties: Array.from({ length: 65 }, (_, i) => ({ name: `p${i}`, value: 'v' })) }))), status: 400, field: '/userMessage/properties' },
  { name: 'property value over 4096 characters', send: () => intake(json(withUm({ properties: [{ name: 'originalSender', value: 'v'.repeat(5000) }] }))), status: 400, field: '/userMessage/properties/0/value' },
  { name: '__proto__ key (prototype pollution)', send: () => intake(`{"__proto__":{"polluted":true},${json(base()).slice(1)}`), status: 400, field: '/__proto__' },
  { name: 'constructor.prototype key in userMessage', send: () => intake(json({ ...base(), userMessage: { ...base().userMessage, constructor: { prototype: { polluted: true } } } })), status: 400, field: '/userMessage/constructor' },
  { name: 'unknown top-level field', send: () => intake(json({ ...base(), extra: 1 })), status: 400, field: '/extra' },
  { name: 'CRLF and a SOAP fragment in the messageId', send: () => intake(json(withUm({ messageId: 'x\r\nX-Injected: 1</eb:MessageId><eb:Evil/>@x' }))), status: 400, field: '/userMessage/messageId' },
  { name: 'NUL in the conversationId', send: () => intake(json(withUm({ conversationId: 'c\u0000d' }))), status: 400, field: '/userMessage/conversationId' },
  { name: 'CRLF in a message property value', send: () => intake(json(withUm({ properties: [{ name: 'originalSender', value: 'a\r\nX-Injected: 1', type: 't' }] }))), status: 400, field: '/userMessage/properties/0/value' },
  { name: 'party without role', send: () => intake(json(withUm({ from: { partyId: 'AP' } }))), status: 400, field: '/userMessage/from/role' },
  // Round two (issue 15): ids that would collapse as UTF-8, and controls outside C0.
  { name: 'lone high surrogate \\ud800 in the messageId', send: () => intake(json(withUm({ messageId: 'twin-\ud800@x' }))), status: 400, field: '/userMessage/messageId' },
  { name: 'its twin with \\udbff (same UTF-8 bytes)', send: () => intake(json(withUm({ messageId: 'twin-\udbff@x' }))), status: 400, field: '/userMessage/messageId' },
  { name: 'lone low surrogate in the conversationId', send: () => intake(json(withUm({ conversationId: 'c-\udc00' }))), status: 400, field: '/userMessage/conversationId' },
  { name: 'lone surrogate in a party id', send: () => intake(json(withUm({ from: { partyId: 'AP_\ud83d', role: 'r' } }))), status: 400, field: '/userMessage/from/partyId' },
  { name: 'C1 control NEL (U+0085) in the messageId', send: () => intake(json(withUm({ messageId: 'm\u0085@x' }))), status: 400, field: '/userMessage/messageId' },
  { name: 'C1 CSI (U+009B) terminal escape in the conversationId', send: () => intake(json(withUm({ conversationId: 'c\u009b2J' }))), status: 400, field: '/userMessage/conversationId' },
  { name: 'U+2028 LINE SEPARATOR in the messageId', send: () => intake(json(withUm({ messageId: 'm\u2028@x' }))), status: 400, field: '/userMessage/messageId' },
  { name: 'U+2029 PARAGRAPH SEPARATOR in a property value', send: () => intake(json(withUm({ properties: [{ name: 'originalSender', value: 'a\u2029b', type: 't' }] }))), status: 400, field: '/userMessage/properties/0/value' },
];

function withB64(contentBase64: string): RestEnvelope {
  const e = base();
  return { ...e, payloads: [{ ...e.payloads[0]!, contentBase64 }] };
}
function withHref(href: string): RestEnvelope {
  const e = base();
  return { ...e, payloads: [{ ...e.payloads[0]!, href }] };
}
function withMime(mimeType: string): RestEnvelope {
  const e = base();
  return { ...e, payloads: [{ ...e.payloads[0]!, mimeType }] };
}
function withUm(over: Record<string, unknown>): unknown {
  const e = base();
  return { ...e, userMessage: { ...e.userMessage, ...over } };
}

describe('REST intake: refused at the edge with problem details', () => {
  test.each(EDGE.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const res = await c.send();
    expect(res.status).toBe(c.status);
    expect(res.type).toMatch(/^application\/problem\+json/);
    const body = JSON.parse(res.body) as { status: number; detail: string };
    expect(body.status).toBe(c.status);
    expect(res.body).not.toMatch(/\bat .*\.(ts|js):\d+/); // never a stack trace
    if (c.field !== undefined) expect(problems(res).map((p) => p.field)).toContain(c.field);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Payloads that pass the envelope and reach the worker: each must end as an EDM:ERR:0003
//    answer in the stand-in's outbox, never a crash and never silence.

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('')}]>
<query:QueryRequest xmlns:query="${QUERY_NS}" id="urn:uuid:00000000-0000-4000-8000-000000000001">&lol9;</query:QueryRequest>`;

const nested = (depth: number): string => `${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}`;
const slots = (n: number): string =>
  Array.from({ length: n }, (_, i) => `<rim:Slot name="Extra${i}"><rim:SlotValue xsi:type="rim:StringValueType"><rim:Value>x</rim:Value></rim:SlotValue></rim:Slot>`).join('');

interface WorkerCase {
  readonly name: string;
  readonly envelope: () => RestEnvelope;
}

const WORKER: WorkerCase[] = [
  { name: 'XXE: external entity to file:///etc/passwd', envelope: () => withPayload(`<?xml version="1.0"?><!DOCTYPE q [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><query:QueryRequest xmlns:query="${QUERY_NS}" id="x">&xxe;</query:QueryRequest>`) },
  { name: 'XXE: parameter entity to a URL', envelope: () => withPayload(`<?xml version="1.0"?><!DOCTYPE q [<!ENTITY % p SYSTEM "http://127.0.0.1:9/evil.dtd"> %p;]><query:QueryRequest xmlns:query="${QUERY_NS}" id="x"/>`) },
  { name: 'external DTD (SYSTEM identifier)', envelope: () => withPayload(`<?xml version="1.0"?><!DOCTYPE query:QueryRequest SYSTEM "http://127.0.0.1:9/evil.dtd"><query:QueryRequest xmlns:query="${QUERY_NS}" id="x"/>`) },
  { name: 'lower-case <!doctype>', envelope: () => withPayload(`<!doctype q><query:QueryRequest xmlns:query="${QUERY_NS}" id="x"/>`) },
  { name: 'billion laughs (10^9 expansion)', envelope: () => withPayload(BILLION_LAUGHS) },
  { name: 'quadratic blow-up (one 50 kB entity referenced 50 000 times)', envelope: () => withPayload(`<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "${'a'.repeat(50_000)}">]><query:QueryRequest xmlns:query="${QUERY_NS}" id="x">${'&a;'.repeat(50_000)}</query:QueryRequest>`) },
  { name: 'DOCTYPE after a UTF-8 BOM', envelope: () => withPayload(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`<!DOCTYPE q [<!ENTITY e "x">]><query:QueryRequest xmlns:query="${QUERY_NS}" id="x">&e;</query:QueryRequest>`)])) },
  { name: 'XInclude of /etc/passwd inside a valid request', envelope: () => withPayload(inside('<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text"/>')) },
  { name: 'nesting 100 levels (limit 64)', envelope: () => withPayload(inside(nested(100))) },
  { name: 'nesting 100 000 levels', envelope: () => withPayload(inside(nested(100_000))) },
  { name: 'invalid UTF-8 (C3 28)', envelope: () => withPayload(Buffer.concat([Buffer.from(valid().slice(0, 200)), Buffer.from([0xc3, 0x28]), Buffer.from(valid().slice(200))])) },
  { name: 'overlong UTF-8 encoding of "<" (C0 BC)', envelope: () => withPayload(Buffer.concat([Buffer.from([0xc0, 0xbc]), Buffer.from(valid())])) },
  { name: 'UTF-16LE document with BOM', envelope: () => withPayload(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(valid().replace('encoding="UTF-8"', 'encoding="UTF-16"'), 'utf16le')])) },
  { name: 'declared encoding ISO-8859-1', envelope: () => withPayload(valid().replace(/encoding="UTF-8"/i, 'encoding="ISO-8859-1"')) },
  { name: 'not XML: PDF bytes', envelope: () => withPayload(Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj<<>>endobj\n%%EOF')) },
  { name: 'not XML: JSON', envelope: () => withPayload('{"QueryRequest": {"id": "x"}}') },
  { name: 'empty payload', envelope: () => withPayload('') },
  { name: 'truncated document', envelope: () => withPayload(valid().slice(0, valid().length / 2)) },
  { name: 'bare ampersand', envelope: () => withPayload(inside('<x>&</x>')) },
  { name: 'wrong root: a QueryResponse', envelope: () => withPayload(`<?xml version="1.0"?><query:QueryResponse xmlns:query="${QUERY_NS}" status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"/>`) },
  { name: 'QueryRequest in a foreign namespace', envelope: () => withPayload(valid().replaceAll(QUERY_NS, 'urn:attacker:query')) },
  { name: 'QueryRequest without namespace', envelope: () => withPayload('<QueryRequest id="urn:uuid:00000000-0000-4000-8000-000000000002"/>') },
  { name: 'huge attribute (4 MB id)', envelope: () => withPayload(valid().replace(/(<query:QueryRequest\b[^>]*\bid=")[^"]+"/, `$1${'x'.repeat(4 * 1024 * 1024)}"`)) },
  { name: '10 000 attributes on the root', envelope: () => withPayload(valid().replace(/<query:QueryRequest\b/, `<query:QueryRequest ${Array.from({ length: 10_000 }, (_, i) => `a${i}="v"`).join(' ')}`)) },
  { name: '3 000 unknown slots', envelope: () => withPayload(inside(slots(3000))) },
  { name: '60 000 elements (limit 50 000)', envelope: () => withPayload(inside('<e/>'.repeat(60_000))) },
  { name: 'document over XML_MAX_BYTES (6 MiB)', envelope: () => withPayload(inside(`<!--${'c'.repeat(6 * 1024 * 1024)}-->`)) },
  { name: 'processing instruction before the root only', envelope: () => withPayload('<?xml version="1.0"?><?evil data?>') },
  {
    name: 'ebMS header without originalSender (R-EDM-ebMS-019)',
    envelope: () => {
      const e = base();
      return { ...e, userMessage: { ...e.userMessage, properties: e.userMessage.properties.filter((p) => p.name !== 'originalSender') } };
    },
  },
  {
    name: 'header SpecificationId differs from the payload (R-EDM-ebMS-038)',
    envelope: () => {
      const e = base();
      const props = e.userMessage.properties.filter((p) => p.name !== 'SpecificationId');
      return { ...e, userMessage: { ...e.userMessage, properties: [...props, { name: 'SpecificationId', value: 'oots-edm:v2.0' }] } };
    },
  },
  // Round two (issue 15): the header held against the payload (four-corner model).
  { name: 'forged originalSender (another requester than the payload)', envelope: () => withProps((p) => p.map((q) => (q.name === 'originalSender' ? { ...q, value: 'DE11122233', type: 'urn:cef.eu:names:identifier:EAS:9930' } : q))) },
  { name: 'finalRecipient naming another evidence provider', envelope: () => withProps((p) => p.map((q) => (q.name === 'finalRecipient' ? { ...q, value: '90000278178' } : q))) },
  { name: 'two originalSender properties, the forged one first', envelope: () => withProps((p) => [{ name: 'originalSender', value: 'DE11122233', type: 'urn:cef.eu:names:identifier:EAS:9930' }, ...p]) },
  { name: 'two finalRecipient properties', envelope: () => withProps((p) => [...p, p.find((q) => q.name === 'finalRecipient')!]) },
  {
    name: 'two RegRep parts (the second a forged request)',
    envelope: () => {
      const e = base();
      return { ...e, payloads: [e.payloads[0]!, { ...e.payloads[0]!, href: 'cid:second@x', contentBase64: b64(valid().replace('120488-14731', '010101-10006')) }] };
    },
  },
];

function withProps(change: (p: RestEnvelope['userMessage']['properties']) => RestEnvelope['userMessage']['properties']): RestEnvelope {
  const e = base();
  return { ...e, userMessage: { ...e.userMessage, properties: change(e.userMessage.properties) } };
}

/** Adversarial shapes of the second outside test (issue 15): each bounded, none may take the process down. */
const XML_MAX_BYTES = 5 * 1024 * 1024;
const AT_LIMIT = XML_MAX_BYTES - 1024;
const withDeclarations = (n: number): string =>
  valid().replace(/<query:QueryRequest\b/, `<query:QueryRequest ${Array.from({ length: n }, (_, i) => `xmlns:n${i}="urn:n:${i}"`).join(' ')}`);
WORKER.push(
  { name: 'namespaces: many on the root, one more on each element (the 240 KB report)', envelope: () => withPayload(namespaceFlood(240 * 1024)) },
  { name: 'namespaces: the same document at XML_MAX_BYTES', envelope: () => withPayload(namespaceFlood(AT_LIMIT)) },
  { name: 'namespaces: 5 000 unused declarations on the root', envelope: () => withPayload(withDeclarations(5000)) },
  { name: 'namespaces: 33 declarations on one element (limit 32)', envelope: () => withPayload(namespaceFlood(8 * 1024, { maxRootPrefixes: 32 })) },
  { name: 'namespaces: one declaration on each of about 2 000 elements (limit 1024 in total)', envelope: () => withPayload(namespaceFlood(64 * 1024, { maxRootPrefixes: 1 })) },
  { name: 'attributes: 65 on one element (limit 64)', envelope: () => withPayload(attributeFlood(16 * 1024, 65)) },
  { name: 'attributes: over 100 000 in total', envelope: () => withPayload(attributeFlood(1024 * 1024, 60)) },
  { name: 'long names (4 000 characters) at XML_MAX_BYTES', envelope: () => withPayload(longNames(AT_LIMIT)) },
  { name: 'nesting 60 deep (allowed), repeated, at XML_MAX_BYTES', envelope: () => withPayload(deepNesting(AT_LIMIT)) },
  { name: '49 000 small elements at XML_MAX_BYTES', envelope: () => withPayload(manySmallElements(AT_LIMIT)) },
  { name: 'text interleaved with empty comments at XML_MAX_BYTES', envelope: () => withPayload(textAndComments(AT_LIMIT)) },
  { name: '49 000 stray children of DataServiceEvidenceType at XML_MAX_BYTES', envelope: () => withPayload(strayChildren(AT_LIMIT)) },
);

/** Heavy but well-formed and valid: answered normally (evidence), without a blow-up. */
const HEAVY_VALID: WorkerCase[] = [
  { name: '20 unused namespace declarations on the root (under the bound)', envelope: () => withPayload(withDeclarations(20)) },
  { name: '1 MiB comment inside the request', envelope: () => withPayload(inside(`<!--${'c'.repeat(1024 * 1024)}-->`)) },
];

describe('payloads that reach the worker: each answered with EDM:ERR:0003', () => {
  const posted = new Map<string, { status: number; conversationId: string }>();
  let outbox: Map<string, { errorCode: string | undefined; action: string }>;

  beforeAll(async () => {
    for (const c of [...WORKER, ...HEAVY_VALID]) {
      const e = c.envelope();
      const res = await intake(json(e));
      posted.set(c.name, { status: res.status, conversationId: e.userMessage.conversationId });
    }
    const accepted = [...posted.values()].filter((p) => p.status === 202).map((p) => p.conversationId);
    const t = await awaitAnswers(api, accepted, { timeoutMs: 60_000, settleMs: 500 });
    const names = new Map([...posted.entries()].map(([n, p]) => [p.conversationId, n]));
    expect(t.lost.map((id) => names.get(id))).toEqual([]);
    outbox = new Map((await readOutbox(api)).map((m) => [m.conversationId, { errorCode: m.errorCode, action: m.action }]));
  }, 120_000);

  test.each(WORKER.map((c) => [c.name] as const))('%s', (name) => {
    const p = posted.get(name)!;
    expect(p.status).toBe(202);
    expect(outbox.get(p.conversationId)).toEqual({ action: 'ExceptionResponse', errorCode: 'EDM:ERR:0003' });
  });

  test.each(HEAVY_VALID.map((c) => [c.name] as const))('heavy but valid, answered with evidence: %s', (name) => {
    const p = posted.get(name)!;
    expect(p.status).toBe(202);
    expect(outbox.get(p.conversationId)).toEqual({ action: 'ExecuteQueryResponse', errorCode: undefined });
  });

  test('no answer echoes the injected header text or file contents', async () => {
    const messages = await readOutbox(api);
    const text = JSON.stringify(messages);
    expect(text).not.toContain('X-Injected');
    expect(text).not.toContain('root:x:0:0');
  });
});

// ---------------------------------------------------------------------------------------------
// 3. POST /edm/validate: the same XML attacks end as 400 problem+json (or 413/415 at the edge)

interface ValidateCase {
  readonly name: string;
  readonly body: string | Buffer;
  readonly type?: string;
  readonly status: number;
}

const VALIDATE: ValidateCase[] = [
  { name: 'XXE external entity', body: `<!DOCTYPE q [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><query:QueryRequest xmlns:query="${QUERY_NS}">&xxe;</query:QueryRequest>`, status: 400 },
  { name: 'billion laughs', body: BILLION_LAUGHS, status: 400 },
  { name: 'external DTD', body: `<!DOCTYPE q SYSTEM "http://127.0.0.1:9/evil.dtd"><q/>`, status: 400 },
  { name: 'invalid UTF-8', body: Buffer.from([0x3c, 0x61, 0x3e, 0xc3, 0x28, 0x3c, 0x2f, 0x61, 0x3e]), status: 400 },
  { name: 'nesting 100 levels', body: inside(nested(100)), status: 400 },
  { name: '60 000 elements', body: inside('<e/>'.repeat(60_000)), status: 400 },
  { name: 'not XML', body: '%PDF-1.7', status: 400 },
  { name: 'declared encoding UTF-16', body: '<?xml version="1.0" encoding="UTF-16"?><a/>', status: 400 },
  { name: 'body over XML_MAX_BYTES', body: `<a>${'x'.repeat(6 * 1024 * 1024)}</a>`, status: 413 },
  { name: 'namespaces: many on the root, one more on each element (240 KB)', body: namespaceFlood(240 * 1024), status: 400 },
  { name: 'namespaces: the same document at XML_MAX_BYTES', body: namespaceFlood(AT_LIMIT), status: 400 },
  { name: 'attributes: 65 on one element', body: attributeFlood(16 * 1024, 65), status: 400 },
  { name: 'attributes: over 100 000 in total', body: attributeFlood(1024 * 1024, 60), status: 400 },
  { name: 'JSON content type', body: '{"a":1}', type: 'application/json', status: 415 },
  { name: 'no content type', body: '<a/>', type: '', status: 415 },
];

describe('POST /edm/validate refuses hostile XML with problem details', () => {
  test.each(VALIDATE.map((c) => [c.name, c] as const))('%s', async (_n, c) => {
    const headers: Record<string, string> = c.type === '' ? {} : { 'content-type': c.type ?? 'application/xml' };
    const res = await send('/edm/validate', { method: 'POST', headers, body: bodyOf(c.body) });
    expect(res.status).toBe(c.status);
    expect(res.type).toMatch(/^application\/problem\+json/);
    expect(res.body).not.toContain('root:x:0:0');
  });

  // Within every bound: judged (not valid), at a cost linear in the bytes (bench -- hostile).
  test.each([
    ['long names (4 000 characters)', longNames(AT_LIMIT)],
    ['nesting 60 deep (allowed), repeated', deepNesting(AT_LIMIT)],
    ['49 000 small elements', manySmallElements(AT_LIMIT)],
    // Each stray child is reported with its path: 20 000 of them took 45 s to judge (paths counted namesakes per report).
    ['20 000 stray children of DataServiceEvidenceType', strayChildren(AT_LIMIT, 20_000)],
    ['text interleaved with empty comments (1 MiB)', textAndComments(1024 * 1024)],
  ])('judged at XML_MAX_BYTES: %s', async (_n, body) => {
    const res = await send('/edm/validate', { method: 'POST', headers: { 'content-type': 'application/xml' }, body });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ kind: 'QueryRequest', valid: false });
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Admin pages and /metrics

const basic = (user: string, password: string): string => `Basic ${b64(`${user}:${password}`)}`;

interface AdminCase {
  readonly name: string;
  readonly path: string;
  readonly method?: string;
  readonly auth?: string;
  readonly body?: string;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly status: number;
}

const CLIENT = { 'x-requested-by': 'hostile-test' } as const;

/** Nine levels of nine aliases each: 9^9 "lol" if expanded. */
function aliasBomb(): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
  return lines.join('\n');
}

const ADMIN: AdminCase[] = [
  { name: 'GET /admin without credentials', path: '/admin', status: 401 },
  { name: 'GET /admin with a wrong password', path: '/admin', auth: basic(viewer.user, 'wrong-password-0000'), status: 401 },
  { name: 'GET /admin with the viewer password under the operator name', path: '/admin', auth: basic(operator.user, viewer.password), status: 401 },
  { name: 'GET /admin/api/summary with a malformed Basic header', path: '/admin/api/summary', auth: 'Basic !!!not-base64', status: 401 },
  { name: 'GET /admin/api/summary with a bearer token', path: '/admin/api/summary', auth: `Bearer ${token}`, status: 401 },
  { name: 'GET /admin/queues without credentials', path: '/admin/queues', status: 401 },
  { name: 'viewer POST on the queue dashboard (retry)', path: '/admin/queues/api/queues/process/retry/failed', method: 'PUT', auth: basic(viewer.user, viewer.password), headers: CLIENT, status: 403 },
  { name: 'viewer DELETE on the queue dashboard (clean)', path: '/admin/queues/api/queues/process/clean/completed', method: 'DELETE', auth: basic(viewer.user, viewer.password), headers: CLIENT, status: 403 },
  { name: 'viewer POST on the queue dashboard (pause)', path: '/admin/queues/api/queues/process/pause', method: 'POST', auth: basic(viewer.user, viewer.password), headers: CLIENT, status: 403 },
  { name: 'path traversal (encoded) under /admin/queues/static', path: '/admin/queues/static/..%2f..%2f..%2fpackage.json', auth: basic(viewer.user, viewer.password), status: 404 },
  { name: 'path traversal (double-encoded) under /admin/queues', path: '/admin/queues/%252e%252e%252f%252e%252e%252fetc%252fpasswd', auth: basic(viewer.user, viewer.password), status: 404 },
  { name: 'path traversal in an audit lookup id', path: '/admin/api/audit/exchanges/..%2f..%2f..%2fetc%2fpasswd', auth: basic(viewer.user, viewer.password), status: 404 },
  { name: 'summary window injection', path: '/admin/api/summary?window=../../1h', auth: basic(viewer.user, viewer.password), status: 400 },
  { name: 'audit by-subject with a 1 MB body', path: '/admin/api/audit/by-subject', method: 'POST', auth: basic(viewer.user, viewer.password), body: json({ identifier: 'x'.repeat(1024 * 1024) }), contentType: 'application/json', headers: CLIENT, status: 413 },
  { name: 'audit by-subject with a non-string identifier', path: '/admin/api/audit/by-subject', method: 'POST', auth: basic(viewer.user, viewer.password), body: json({ identifier: { $ne: '' } }), contentType: 'application/json', headers: CLIENT, status: 400 },
  // Round two (issue 15): inherited names, cross-site forms, an alias bomb.
  { name: 'summary window=toString (inherited name)', path: '/admin/api/summary?window=toString', auth: basic(viewer.user, viewer.password), status: 400 },
  { name: 'summary window=__proto__', path: '/admin/api/summary?window=__proto__', auth: basic(viewer.user, viewer.password), status: 400 },
  { name: 'summary window=constructor', path: '/admin/api/summary?window=constructor', auth: basic(viewer.user, viewer.password), status: 400 },
  { name: 'cross-site form: deactivate a mapping (foreign Origin, form body)', path: '/admin/api/mappings/lv-birth-certificate/deactivate', method: 'POST', auth: basic(operator.user, operator.password), body: 'a=b', contentType: 'application/x-www-form-urlencoded', headers: { origin: 'http://evil.example' }, status: 403 },
  { name: 'deactivate without X-Requested-By (no Origin: not a browser, not a client)', path: '/admin/api/mappings/lv-birth-certificate/deactivate', method: 'POST', auth: basic(operator.user, operator.password), status: 403 },
  { name: 'deactivate with a form body, even with X-Requested-By', path: '/admin/api/mappings/lv-birth-certificate/deactivate', method: 'POST', auth: basic(operator.user, operator.password), body: 'a=b', contentType: 'application/x-www-form-urlencoded', headers: CLIENT, status: 415 },
  { name: 'deactivate with Origin: null (sandboxed frame)', path: '/admin/api/mappings/lv-birth-certificate/deactivate', method: 'POST', auth: basic(operator.user, operator.password), headers: { ...CLIENT, origin: 'null' }, status: 403 },
  { name: 'deactivate with Sec-Fetch-Site: cross-site', path: '/admin/api/mappings/lv-birth-certificate/deactivate', method: 'POST', auth: basic(operator.user, operator.password), headers: { ...CLIENT, 'sec-fetch-site': 'cross-site' }, status: 403 },
  { name: 'deactivate with Sec-Fetch-Site: same-site (another port is another origin)', path: '/admin/api/mappings/lv-birth-certificate/deactivate', method: 'POST', auth: basic(operator.user, operator.password), headers: { ...CLIENT, 'sec-fetch-site': 'same-site' }, status: 403 },
  { name: 'deactivate with a foreign Referer and no Origin', path: '/admin/api/mappings/lv-birth-certificate/deactivate', method: 'POST', auth: basic(operator.user, operator.password), headers: { ...CLIENT, referer: 'http://evil.example/page' }, status: 403 },
  { name: 'cross-site text/plain form: upload and activate a mapping', path: '/admin/api/mappings?id=lv-birth-certificate&activate=true', method: 'POST', auth: basic(operator.user, operator.password), body: 'x: 1', contentType: 'text/plain', headers: { origin: 'http://evil.example' }, status: 403 },
  { name: 'upload as text/plain with X-Requested-By', path: '/admin/api/mappings?id=lv-birth-certificate', method: 'POST', auth: basic(operator.user, operator.password), body: 'x: 1', contentType: 'text/plain', headers: CLIENT, status: 415 },
  { name: 'cross-site form: add a job through the queue dashboard', path: '/admin/queues/api/queues/exchange-deliver/add', method: 'POST', auth: basic(operator.user, operator.password), body: '{"name":"deliver","data":{}}', contentType: 'text/plain', headers: { origin: 'http://evil.example' }, status: 403 },
  { name: 'dashboard action without Origin or X-Requested-By', path: '/admin/queues/api/queues/exchange-deliver/add', method: 'POST', auth: basic(operator.user, operator.password), body: '{"name":"deliver","data":{}}', contentType: 'application/json', status: 403 },
  { name: 'mappings page form from another origin (even with a token field)', path: '/admin/mappings/lv-birth-certificate/deactivate', method: 'POST', auth: basic(operator.user, operator.password), body: 'csrf=1.x', contentType: 'application/x-www-form-urlencoded', headers: { origin: 'http://evil.example' }, status: 403 },
  { name: 'YAML alias bomb upload', path: '/admin/api/mappings?id=alias-bomb', method: 'POST', auth: basic(operator.user, operator.password), body: aliasBomb(), contentType: 'application/yaml', headers: CLIENT, status: 422 },
  { name: 'GET /metrics without the token', path: '/metrics', status: 401 },
  { name: 'GET /metrics with a wrong token', path: '/metrics', auth: `Bearer ${randomBytes(16).toString('hex')}`, status: 401 },
  { name: 'path traversal on the stand-in outbox', path: '/sandbox/connector/outbox/..%2f..%2fstandin%3Afaults', status: 404 },
];

describe('admin pages and /metrics: credentials, roles, traversal', () => {
  test.each(ADMIN.map((c) => [c.name, c] as const))('%s', async (_n, c) => {
    const headers: Record<string, string> = { ...c.headers };
    if (c.auth !== undefined) headers.authorization = c.auth;
    if (c.contentType !== undefined) headers['content-type'] = c.contentType;
    const res = await send(c.path, { method: c.method ?? 'GET', headers, ...(c.body === undefined ? {} : { body: c.body }) });
    expect(res.status).toBe(c.status);
    expect(res.body).not.toContain('root:x:0:0');
    expect(res.body).not.toContain('"dependencies"');
  });
});

describe('admin page banner and response headers (round two)', () => {
  test('/admin/mappings?done= does not show attacker text in the trusted ok banner', async () => {
    const lure = 'Mapping approved by the security team: re-upload it at evil.example';
    const res = await send(`/admin/mappings?done=${encodeURIComponent(lure)}`, { headers: { authorization: basic(viewer.user, viewer.password) } });
    expect(res.status).toBe(200);
    expect(res.body).not.toContain('security team');
    expect(res.body).not.toContain('id="message"');
  });

  test('no X-Powered-By anywhere, and nosniff on every answer (JSON, problem+json, HTML)', async () => {
    const asViewer = { authorization: basic(viewer.user, viewer.password) };
    const answers = await Promise.all([
      fetch(`${api}/healthz`),
      fetch(`${api}/readyz`),
      fetch(`${api}/edm/validate`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: valid() }),
      fetch(`${api}/edm/validate`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<a' }),
      fetch(`${api}/connector/messages`, { method: 'POST' }),
      fetch(`${api}/nothing-here`),
      fetch(`${api}/metrics`),
      fetch(`${api}/admin/api/summary`, { headers: asViewer }),
      fetch(`${api}/admin/queues`, { headers: asViewer }),
      fetch(`${api}/sandbox/connector/outbox`),
    ]);
    for (const r of answers) {
      expect([r.url, r.headers.get('x-powered-by')]).toEqual([r.url, null]);
      expect([r.url, r.headers.get('x-content-type-options')]).toEqual([r.url, 'nosniff']);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 5. The Domibus push endpoint (mounted under buildApp as main mounts routers)

describe('Domibus push endpoint', () => {
  const PUSH_USER = 'domibus-push';
  const PUSH_PASSWORD = randomBytes(12).toString('hex');
  const fetched: string[] = [];
  let server: Server;
  let url = '';

  beforeAll(async () => {
    const logger = pino({ level: 'silent' });
    const router = createDomibusPushRouter({
      receiver: {
        fetch: (id: string) => {
          fetched.push(id);
          return Promise.resolve('stored' as const);
        },
        accept: () => Promise.resolve('stored' as const),
      },
      user: PUSH_USER,
      password: PUSH_PASSWORD,
      logger,
      maxBodyBytes: 1024 * 1024,
    });
    server = createServer(buildApp({ logger, maxBodyBytes: 1024 * 1024, routers: [router] }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${DOMIBUS_PUSH_PATH}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    server.closeAllConnections();
  });

  const SOAP12 = 'http://www.w3.org/2003/05/soap-envelope';
  const WSPLUGIN = 'eu.domibus'; // BackendService.wsdl: the namespace Domibus pushes in
  const note = (id: string): string =>
    `<?xml version="1.0"?><soap:Envelope xmlns:soap="${SOAP12}"><soap:Body><ns:receiveSuccess xmlns:ns="${WSPLUGIN}"><messageID>${id}</messageID></ns:receiveSuccess></soap:Body></soap:Envelope>`;
  const push = async (body: string | Buffer, auth: string | undefined): Promise<{ status: number; body: string }> => {
    const headers: Record<string, string> = { 'content-type': 'application/soap+xml' };
    if (auth !== undefined) headers.authorization = auth;
    const res = await fetch(url, { method: 'POST', headers, body: bodyOf(body) });
    return { status: res.status, body: await res.text() };
  };
  const good = (): string => basicAuthorization(PUSH_USER, PUSH_PASSWORD);

  test.each([
    ['no credentials', note('m1@x'), undefined, 401],
    ['wrong password', note('m1@x'), basicAuthorization(PUSH_USER, 'wrong-wrong-wrong-wrong'), 401],
    ['the right password under another user', note('m1@x'), basicAuthorization('admin', PUSH_PASSWORD), 401],
    ['XXE in the SOAP envelope', `<!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]>${note('&x;').replace('<?xml version="1.0"?>', '')}`, 'good', 400],
    ['billion laughs in the SOAP envelope', BILLION_LAUGHS, 'good', 400],
    ['SOAP 1.1 envelope', note('m1@x').replace(SOAP12, 'http://schemas.xmlsoap.org/soap/envelope/'), 'good', 400],
    ['not SOAP (a bare QueryRequest)', valid(), 'good', 400],
    ['not XML', '%PDF-1.7', 'good', 400],
    ['namespace flood in the SOAP envelope', namespaceFlood(240 * 1024).replace('<?xml version="1.0" encoding="UTF-8"?>\n', ''), 'good', 400],
    ['body over the push limit (2 MiB)', note('x'.repeat(2 * 1024 * 1024)), 'good', 413],
  ] as const)('%s', async (_n, body, auth, status) => {
    const res = await push(body, auth === 'good' ? good() : auth);
    expect(res.status).toBe(status);
    expect(res.body).not.toContain('root:x:0:0');
  });

  test('SOAP injection in a messageID is read as text, never as markup', async () => {
    fetched.length = 0;
    const res = await push(note('a&lt;/messageID&gt;&lt;evil/&gt;@x'), good());
    expect(res.status).toBe(200);
    expect(fetched).toEqual(['a</messageID><evil/>@x']);
    expect(res.body).not.toContain('<evil/>');
  });
});

// ---------------------------------------------------------------------------------------------
// 6. Preview pages: link tampering, CSRF, open redirects (the real router, a fake OIDC login)

describe('preview pages: tampering, CSRF, open redirects', () => {
  const redis = new Redis(REDIS_URL);
  const pprefix = `${prefix}:preview:`;
  const key = generateKey();
  const portal = 'https://portal.example';
  let server: Server;
  let baseUrl = '';
  let store: ReturnType<typeof createPreviewStore>;
  let who = { identifier: 'LV/DE/12048814731', givenName: 'Anna', familyName: 'Bērziņa', birthDate: '1988-04-12' };

  const oidc: OidcLogin = {
    begin: () => {
      const state = randomBytes(24).toString('base64url');
      return Promise.resolve({ url: `https://idp.invalid/authorize?state=${state}`, checks: { state, nonce: 'n', codeVerifier: 'v' } });
    },
    complete: () => Promise.resolve(who),
  };

  beforeAll(async () => {
    const app = express();
    server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    store = createPreviewStore(redis, { prefix: pprefix, key, publicBaseUrl: baseUrl, t2Seconds: 900, t3Seconds: 2400 });
    app.use(
      createPreviewRouter({
        store,
        oidc,
        config: {
          publicBaseUrl: baseUrl,
          allowedReturnOrigins: [portal],
          cookieKey: deriveCookieKey(key),
          cookieSecure: false,
          redirectPath: '/preview/callback',
          loginTtlSeconds: 1200,
          match: { nameMatching: 'fold-diacritics' },
        },
        logger: pino({ level: 'silent' }),
        onSettled: () => Promise.resolve(),
      }),
    );
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    server.closeAllConnections();
    await deleteKeys(redis, pprefix);
    await redis.quit();
  });

  const cookieFrom = (res: Response, name: string): string => {
    for (const line of res.headers.getSetCookie()) {
      const m = new RegExp(`^${name}=([^;]*)`).exec(line);
      if (m !== null && m[1] !== '') return m[1]!;
    }
    return '';
  };

  /** Opens a fresh session's link and logs in as `who`; returns the login cookie and CSRF token. */
  async function loggedIn(): Promise<{ link: string; sid: string; pva: string; csrf: string }> {
    const { location, sessionId } = await store.create(sessionInput());
    const open = await fetch(`${location}?returnurl=${encodeURIComponent(`${portal}/back`)}&returnmethod=GET`, { redirect: 'manual' });
    expect(open.status).toBe(303);
    const state = new URL(open.headers.get('location')!).searchParams.get('state')!;
    const flow = cookieFrom(open, `pvf_${state}`);
    const cb = await fetch(`${baseUrl}/preview/callback?state=${state}&code=c`, { redirect: 'manual', headers: { cookie: `pvf_${state}=${flow}` } });
    expect(cb.status).toBe(303);
    const pva = cookieFrom(cb, 'pva');
    const page = await fetch(location, { headers: { cookie: `pva=${pva}` } });
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    expect(csrf).not.toBe('');
    return { link: location, sid: sessionId, pva, csrf };
  }

  const decide = (link: string, pva: string | undefined, form: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${link}/decision`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(pva === undefined ? {} : { cookie: `pva=${pva}` }), ...headers },
      body: new URLSearchParams(form).toString(),
    });

  test.each([
    ['session id that is not one (path traversal)', '/preview/..%2f..%2fetc%2fpasswd', 404],
    ['session id of the right shape that was never issued', `/preview/${randomBytes(32).toString('base64url')}`, 404],
    ['open redirect: returnurl on another origin', (sid: string) => `/preview/${sid}?returnurl=${encodeURIComponent('https://attacker.example/')}`, 400],
    ['open redirect: javascript: URL', (sid: string) => `/preview/${sid}?returnurl=${encodeURIComponent('javascript:alert(1)')}`, 400],
    ['open redirect: allowed origin as userinfo', (sid: string) => `/preview/${sid}?returnurl=${encodeURIComponent(`https://portal.example@attacker.example/`)}`, 400],
    ['open redirect: scheme-relative URL', (sid: string) => `/preview/${sid}?returnurl=${encodeURIComponent('//attacker.example/')}`, 400],
    ['returnmethod DELETE', (sid: string) => `/preview/${sid}?returnurl=${encodeURIComponent(`${portal}/x`)}&returnmethod=DELETE`, 400],
    ['login callback without the login cookie', '/preview/callback?state=AAAAAAAAAAAAAAAAAAAA&code=x', 400],
    ['login callback with a malformed state', '/preview/callback?state=%3Cscript%3E&code=x', 400],
  ] as const)('%s', async (_n, target, status) => {
    const { sessionId } = await store.create(sessionInput());
    const p = typeof target === 'function' ? target(sessionId) : target;
    const res = await fetch(`${baseUrl}${p}`, { redirect: 'manual' });
    expect(res.status).toBe(status);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  test('evidence without a login: 403', async () => {
    const { sessionId } = await store.create(sessionInput());
    const res = await fetch(`${baseUrl}/preview/${sessionId}/evidence/urn:uuid:0b7c8f7e-1d1e-4f7b-9a39-3f5c1c2a0001`);
    expect(res.status).toBe(403);
  });

  test('CSRF: a cross-site decision POST without the login cookie: 403', async () => {
    const { link, csrf } = await loggedIn();
    const res = await decide(link, undefined, { csrf, choice_0: 'approve', choice_1: 'approve' }, { origin: 'https://attacker.example' });
    expect(res.status).toBe(403);
  });

  test('CSRF: the login cookie without the token: 403', async () => {
    const { link, pva } = await loggedIn();
    expect((await decide(link, pva, { choice_0: 'approve', choice_1: 'approve' })).status).toBe(403);
  });

  test('CSRF: the login cookie with a wrong token: 403', async () => {
    const { link, pva } = await loggedIn();
    expect((await decide(link, pva, { csrf: randomBytes(32).toString('base64url'), choice_0: 'approve', choice_1: 'approve' })).status).toBe(403);
  });

  test("link tampering: one session's login cookie and token do not open another session", async () => {
    const a = await loggedIn();
    const b = await store.create(sessionInput());
    expect((await decide(b.location, a.pva, { csrf: a.csrf, choice_0: 'approve', choice_1: 'approve' })).status).toBe(403);
    expect((await fetch(`${b.location}/evidence/urn:uuid:0b7c8f7e-1d1e-4f7b-9a39-3f5c1c2a0001`, { headers: { cookie: `pva=${a.pva}` } })).status).toBe(403);
  });

  test('a tampered login cookie (one character changed): 403', async () => {
    const a = await loggedIn();
    const flipped = a.pva.slice(0, 20) + (a.pva[20] === 'A' ? 'B' : 'A') + a.pva.slice(21);
    expect((await decide(a.link, flipped, { csrf: a.csrf, choice_0: 'approve', choice_1: 'approve' })).status).toBe(403);
  });

  test('a login that does not match the subject sees nothing: 403', async () => {
    const { location } = await store.create(sessionInput());
    const open = await fetch(location, { redirect: 'manual' });
    const state = new URL(open.headers.get('location')!).searchParams.get('state')!;
    who = { identifier: 'LV/DE/23117510621', givenName: 'Jānis', familyName: 'Kalniņš', birthDate: '1975-11-23' };
    try {
      const cb = await fetch(`${baseUrl}/preview/callback?state=${state}&code=c`, { redirect: 'manual', headers: { cookie: `pvf_${state}=${cookieFrom(open, `pvf_${state}`)}` } });
      expect(cb.status).toBe(403);
      expect(cookieFrom(cb, 'pva')).toBe('');
      expect(await cb.text()).not.toContain('Skolas-iela-42-MARKER');
    } finally {
      who = { identifier: 'LV/DE/12048814731', givenName: 'Anna', familyName: 'Bērziņa', birthDate: '1988-04-12' };
    }
  });

  test('decision body over 16 kB: refused (413)', async () => {
    const { link, pva, csrf } = await loggedIn();
    expect((await decide(link, pva, { csrf, choice_0: 'approve', choice_1: 'approve', pad: 'x'.repeat(20_000) })).status).toBe(413);
  });

  test('after a decision the browser goes only to the allow-listed return address', async () => {
    const { link, pva, csrf } = await loggedIn();
    const res = await decide(link, pva, { csrf, choice_0: 'approve', choice_1: 'decline' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${portal}/back`);
  });
});

// ---------------------------------------------------------------------------------------------
// 7. After the corpus

describe('after the corpus', () => {
  test('the adapter is still up, ready, and its memory is bounded', async () => {
    expect(adapter.child.exitCode).toBeNull();
    const health = await fetch(`${api}/healthz`);
    expect(health.status).toBe(200);
    // Measured once the parse threads went idle and ended (10 s idle, src/parse-threads/pool.ts):
    // a thread keeps the heap and libxml2 memory its largest document grew until it ends (here
    // 1 166 MiB right after the corpus, 397 MiB once they ended).
    await new Promise((r) => setTimeout(r, 12_000));
    const rss = rssBytes(adapter.child.pid);
    const metrics = await (await fetch(`${api}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })).text();
    const fromMetrics = Number(/^oots_process_resident_memory_bytes(?:\{[^}]*\})? (\d+(?:\.\d+)?(?:e\+\d+)?)/m.exec(metrics)?.[1] ?? NaN);
    process.stdout.write(`hostile corpus: adapter RSS ${Math.round((rss ?? fromMetrics) / 1048576)} MiB after ${EDGE.length + WORKER.length + HEAVY_VALID.length + VALIDATE.length + ADMIN.length} process cases\n`);
    // A sanity guard against runaway memory, not a performance figure.
    expect(rss ?? fromMetrics).toBeLessThan(1024 * 1024 * 1024);
    // The adapter logged no unhandled error for any of it.
    expect(adapter.logs.filter((l) => l.msg === 'unhandled error')).toEqual([]);
  });
});
