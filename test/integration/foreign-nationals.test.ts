/**
 * Foreign nationals found by attributes (issue 19, docs/matching.md), with the real parts: the real
 * DAGR client against the real DAGR sandbox serving the shipped data (the foreign nationals are in
 * src/sandbox/dagr-data/extra-records/pmlp_declared_residence.foreign-nationals.json), the exchange use case run
 * by the worker's process handler, the audit trail on Redis and the handler's log.
 *
 * Found, found despite diacritics or transliteration, ambiguous (two namesakes), made unambiguous
 * by the place of birth, nobody; the search is a DAGR call like the lookup (token, permission
 * header and its use count, envelope, errors). The reason for no evidence is in the audit trail
 * and the log line, never in the answer.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { envelopeFor } from '../../src/cli/send.js';
import { parseEnvelope } from '../../src/connector/envelope.js';
import { createDagrClient, type DagrClient } from '../../src/dagr/client.js';
import { DagrError } from '../../src/dagr/errors.js';
import { validateMessage } from '../../src/edm/validate.js';
import type { ExchangeDeps } from '../../src/exchange/answer.js';
import type { OutboundMessage } from '../../src/exchange/ports.js';
import { generateKey } from '../../src/infra/aead.js';
import { createLogger } from '../../src/infra/logger.js';
import { createAuditTrail, type AuditRecord } from '../../src/ops/audit.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { createExchangeObserver } from '../../src/ops/observer.js';
import type { JobContext } from '../../src/queue/queues.js';
import { loadSandboxDatasets } from '../../src/sandbox/dagr-data-loader.js';
import { startDagrSandbox, type StartedDagrSandbox } from '../../src/sandbox/dagr-server.js';
import { createExchangeStore } from '../../src/store/exchange-store.js';
import { createProcessHandler } from '../../src/worker/handlers.js';
import { describeTry, tryMapping } from '../../src/mapping-store/try-mapping.js';
import { loadMappings } from '../../src/resources/mappings.js';
import { deleteKeys, REDIS_URL, testPrefix } from '../support/connector-fixtures.js';
import { exampleRequest, testDeps } from '../support/exchange-fixtures.js';

const CLIENT_ID = 'oots-adapter-foreign-test';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const SERVICE = 'pmlp_declared_residence';
const PERMISSION = '22792';

const redis = new Redis(REDIS_URL);
const prefix = testPrefix('foreign').slice(0, -1);
const key = generateKey();
const logLines: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    logLines.push(
      ...chunk
        .toString('utf8')
        .split('\n')
        .filter((l) => l !== ''),
    );
    done();
  },
});
const logger = createLogger('info', sink);
let dagrSandbox: StartedDagrSandbox;
let client: DagrClient;

beforeAll(async () => {
  const { datasets, permissions } = loadSandboxDatasets();
  dagrSandbox = await startDagrSandbox({
    datasets,
    permissions,
    clientId: CLIENT_ID,
    clientPublicKey: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    host: '127.0.0.1',
    port: 0,
  });
  client = createDagrClient({
    baseUrl: dagrSandbox.url,
    clientId: CLIENT_ID,
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    retries: 0,
    logger,
  });
});

afterAll(async () => {
  client?.close();
  await dagrSandbox?.stop();
  await deleteKeys(redis, prefix);
  await redis.quit();
});

const search = (criteria: Record<string, string>, permission = PERMISSION) =>
  client.search({
    service: SERVICE,
    permission,
    criteria: Object.entries(criteria).map(([field, value]) => ({ field, value })),
    correlationId: `xref-${randomUUID()}`,
  });
const codesOf = (r: Awaited<ReturnType<typeof search>>): unknown[] =>
  r.kind === 'found' ? r.records.map((x) => x.fields['PersonCode']) : [];

describe('the DAGR client searches the sandbox by attributes (same contract as the lookup)', () => {
  test('a German who lived in Latvia: one candidate', async () => {
    const r = await search({ FamilyName: 'Schneider', GivenName: 'Lukas', DateOfBirth: '1984-09-14' });
    expect(codesOf(r)).toEqual(['36120458173']);
  });

  test('names as foreign registers write them: diacritics dropped, ICAO two-letter forms', async () => {
    expect(codesOf(await search({ FamilyName: 'Müller', GivenName: 'Jürgen', DateOfBirth: '1970-05-23' }))).toEqual([
      '35507219460',
    ]);
    expect(
      codesOf(await search({ FamilyName: 'WISNIEWSKA', GivenName: 'MALGORZATA', DateOfBirth: '1991-12-02' })),
    ).toEqual(['37741308852']);
  });

  test('two namesakes: both candidates; the place of birth narrows to one; nobody: not-found', async () => {
    const weber = { FamilyName: 'Weber', GivenName: 'Thomas', DateOfBirth: '1979-03-15' };
    expect(codesOf(await search(weber))).toEqual(['33918264705', '38256031947']);
    expect(codesOf(await search({ ...weber, BirthPlace: 'Berlin' }))).toEqual(['33918264705']);
    expect(await search({ ...weber, DateOfBirth: '1979-03-16' })).toEqual({ kind: 'not-found' });
  });

  test('the permission is checked and counted as for a lookup; a wrong one is forbidden', async () => {
    const count = (): number =>
      dagrSandbox.sandbox.permissions().find((p) => p.permission_number === PERMISSION)!.use_count;
    const before = count();
    await search({ FamilyName: 'Schneider', GivenName: 'Lukas', DateOfBirth: '1984-09-14' });
    expect(count()).toBe(before + 1);
    await expect(
      search({ FamilyName: 'Schneider', GivenName: 'Lukas', DateOfBirth: '1984-09-14' }, '22791'),
    ).rejects.toMatchObject({ name: DagrError.name, cause: 'forbidden' });
  });

  test('the sandbox route: no token 401, a repeated field 400, no query at all is no route (404)', async () => {
    const at = (query: string): Promise<Response> => fetch(`${dagrSandbox.url}/${SERVICE}${query}`);
    expect((await at('?FamilyName=Weber')).status).toBe(401);
    expect((await at('?FamilyName=Weber&FamilyName=Schneider')).status).toBe(400);
    expect((await at('')).status).toBe(404);
  });

  test('a revoked token is refreshed once, as for a lookup', async () => {
    const fetches = client.tokenFetches();
    dagrSandbox.sandbox.revokeTokens();
    const r = await search({ FamilyName: 'Schneider', GivenName: 'Lukas', DateOfBirth: '1984-09-14' });
    expect(codesOf(r)).toEqual(['36120458173']);
    expect(client.tokenFetches()).toBe(fetches + 1);
  });
});

/** The residence example request about someone else. */
function residenceRequest(p: { id: string; family: string; given: string; born: string; place?: string }): string {
  return exampleRequest('lv-declared-residence-pdf')
    .replace(/(<query:QueryRequest\b[^>]*\bid=")urn:uuid:[^"]+"/, `$1urn:uuid:${randomUUID()}"`)
    .replace(
      /<sdg:Identifier schemeID="eidas">[^<]+<\/sdg:Identifier>\s*<sdg:FamilyName>[^<]+<\/sdg:FamilyName>\s*<sdg:GivenName>[^<]+<\/sdg:GivenName>\s*<sdg:DateOfBirth>[^<]+<\/sdg:DateOfBirth>/,
      `<sdg:Identifier schemeID="eidas">${p.id}</sdg:Identifier><sdg:FamilyName>${p.family}</sdg:FamilyName>` +
        `<sdg:GivenName>${p.given}</sdg:GivenName><sdg:DateOfBirth>${p.born}</sdg:DateOfBirth>` +
        (p.place === undefined ? '' : `<sdg:PlaceOfBirth>${p.place}</sdg:PlaceOfBirth>`),
    );
}

type Person = { id: string; family: string; given: string; born: string; place?: string };
const LUKAS: Person = { id: 'DE/LV/4F7A2C91D03B', family: 'Schneider', given: 'Lukas', born: '1984-09-14' };
const WEBER: Person = { id: 'DE/LV/9B15E8A6C277', family: 'Weber', given: 'Thomas', born: '1979-03-15' };

/** One worker: the process handler with the real client, the audit trail and the observer. */
async function answer(
  xml: string,
  exchange: Partial<ExchangeDeps> = {},
): Promise<{ outbound: OutboundMessage; records: AuditRecord[]; logged: string[] }> {
  const store = createExchangeStore(redis, { prefix: `${prefix}:store:`, key, ttlSeconds: 600 });
  const audit = createAuditTrail(redis, { prefix: `${prefix}:audit:`, key });
  const observer = createExchangeObserver({ metrics: createMetrics({ defaultMetrics: false }), audit, logger, store });
  const sent: OutboundMessage[] = [];
  const { userMessage, payloads } = parseEnvelope(envelopeFor(Buffer.from(xml)));
  const { exchangeRef } = await store.acceptInbound({ userMessage, payloads, receivedAt: new Date().toISOString() });
  const before = logLines.length;
  const ctx: JobContext = { attemptsMade: 0, final: true, log: logger, signal: new AbortController().signal };
  await createProcessHandler({
    store,
    queues: { enqueueDelivery: () => Promise.resolve() },
    exchange: testDeps({ dagr: client, now: () => new Date(), ...exchange }),
    logger,
    submitter: {
      submit: (_ref, message) => {
        sent.push(message);
        return Promise.resolve();
      },
    },
    observer,
    deliverInline: true,
  })(exchangeRef, ctx);
  expect(sent).toHaveLength(1);
  expect(validateMessage(sent[0]!.regrep).errors).toEqual([]);
  return { outbound: sent[0]!, records: await audit.byExchange(exchangeRef), logged: logLines.slice(before) };
}

const answered = (records: AuditRecord[]): AuditRecord => records.find((r) => r.event === 'answered')!;
const requestAnswered = (lines: string[]): Record<string, unknown> =>
  JSON.parse(lines.find((l) => l.includes('"request answered"'))!) as Record<string, unknown>;

describe('through the exchange: evidence to the right person only', () => {
  test('a foreign national found by attributes gets the evidence', async () => {
    const { outbound, records } = await answer(residenceRequest(LUKAS));
    expect(outbound.userMessage.action).toBe('ExecuteQueryResponse');
    expect(outbound.attachments).toHaveLength(1);
    expect(Buffer.from(outbound.attachments[0]!.bytes).subarray(0, 5).toString()).toBe('%PDF-');
    expect(answered(records)).toMatchObject({ outcome: 'evidence', detail: undefined });
  });

  test('the register writes the name in its ICAO form (MUELLER, JUERGEN): found', async () => {
    const { outbound } = await answer(
      residenceRequest({ id: 'DE/LV/C0FFEE2201', family: 'Müller', given: 'Jürgen', born: '1970-05-23' }),
    );
    expect(outbound.attachments).toHaveLength(1);
  });

  test('two namesakes: no evidence (empty success); the reason in the audit trail and the log, not in the answer', async () => {
    const { outbound, records, logged } = await answer(residenceRequest(WEBER));
    expect(outbound.userMessage.action).toBe('ExecuteQueryResponse');
    expect(outbound.attachments).toEqual([]);
    expect(outbound.regrep).toContain('ResponseStatusType:Success');
    for (const leak of ['ambiguous', 'several', 'attribute search', 'no matching record', 'Hamburg', 'Liepāja'])
      expect(outbound.regrep).not.toContain(leak);
    const record = answered(records);
    expect(record.outcome).toBe('empty');
    expect(record.detail).toBe('no matching record (ambiguous: attribute search found several people; none chosen)');
    expect(requestAnswered(logged)).toMatchObject({ outcome: { outcome: 'empty', noRecord: 'ambiguous' } });
    // Neither the audit trail nor the log holds the person.
    const raw = JSON.stringify(await redis.xrange(`${prefix}:audit:log`, '-', '+')) + logged.join('\n');
    for (const personal of ['Weber', 'Thomas', '1979-03-15', '9B15E8A6C277', '33918264705', '38256031947'])
      expect(raw).not.toContain(personal);
  });

  test('two namesakes, EDM:ERR:0004 configured: the error says nothing of why; the audit trail does', async () => {
    const { outbound, records } = await answer(residenceRequest(WEBER), { notFound: 'error' });
    expect(outbound.userMessage.action).toBe('ExceptionResponse');
    expect(outbound.regrep).toContain('EDM:ERR:0004');
    expect(outbound.regrep).not.toContain('ambiguous');
    expect(outbound.regrep).not.toContain('several');
    expect(answered(records)).toMatchObject({
      outcome: 'error',
      edmCode: 'EDM:ERR:0004',
      detail: 'no matching record (ambiguous: attribute search found several people; none chosen)',
    });
  });

  test('the request says where he was born: the one namesake born there gets his evidence, not the other', async () => {
    const xml = residenceRequest({ ...WEBER, place: 'Berlin' }).replace(
      '<sdg:Format>application/pdf</sdg:Format>',
      '<sdg:Format>application/xml</sdg:Format><sdg:ConformsTo>https://sr.oots.tech.ec.europa.eu/datamodels/lv-declared-residence-1.0.0</sdg:ConformsTo>',
    );
    const { outbound, records } = await answer(xml);
    expect(outbound.attachments).toHaveLength(1);
    const evidence = Buffer.from(outbound.attachments[0]!.bytes).toString('utf8');
    expect(evidence).toContain('<PersonCode>33918264705</PersonCode>');
    expect(evidence).not.toContain('38256031947');
    expect(answered(records).outcome).toBe('evidence');
  });

  test('nobody fits: no evidence, no-candidate in the audit trail', async () => {
    const { outbound, records, logged } = await answer(residenceRequest({ ...LUKAS, born: '1984-09-15' }));
    expect(outbound.attachments).toEqual([]);
    expect(answered(records).detail).toMatch(/^no matching record \(no-candidate: /);
    expect(requestAnswered(logged)).toMatchObject({ outcome: { noRecord: 'no-candidate' } });
  });

  test('a Latvian identifier is never searched by name: a code nobody has is not-found, though the name exists', async () => {
    const { outbound, records } = await answer(residenceRequest({ ...LUKAS, id: 'LV/DE/01010110014' }));
    expect(outbound.attachments).toEqual([]);
    expect(answered(records).detail).toMatch(/^no matching record \(not-found: /);
  });
});

describe('mappings try (what a data controller sees)', () => {
  const mapping = loadMappings().find((m) => m.id === 'lv-declared-residence')!;
  const tryIt = (p: Person) => {
    const deps = testDeps({ dagr: client, now: () => new Date() });
    return tryMapping(
      mapping,
      { subject: { id: p.id, familyName: p.family, givenName: p.given, dateOfBirth: p.born }, format: 'pdf' },
      deps,
    );
  };

  test('a foreign national: searched by attributes, evidence', async () => {
    const r = await tryIt(LUKAS);
    expect(r.lookup).toEqual({ ok: false, reason: 'not-issued-by-latvia', byAttributes: true });
    expect(r.evidence?.mimeType).toBe('application/pdf');
    expect(describeTry(r)).toContain(
      'lookup: a foreign identifier: DAGR searched by attributes (docs/matching.md; the answer says how it ended)',
    );
  });

  test('two namesakes: the answer line says ambiguous', async () => {
    const r = await tryIt(WEBER);
    expect(r.evidence).toBeUndefined();
    expect(describeTry(r)).toContain(
      'answer: empty (no matching record (ambiguous: attribute search found several people; none chosen))',
    );
  });
});
