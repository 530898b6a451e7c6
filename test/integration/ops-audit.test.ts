import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { generateKey } from '../../src/infra/aead.js';
import type { ExchangeSummary } from '../../src/exchange/ports.js';
import { createAuditTrail, type AuditInput } from '../../src/ops/audit.js';
import { deleteKeys, REDIS_URL, testPrefix } from '../support/connector-fixtures.js';

// Synthetic sandbox people (src/sandbox/dagr-data/README.md), as eIDAS identifiers.
const ANNA = 'LV/DE/12048814731';
const JANIS = 'LV/DE/23117510621';
const BIRTH = 'https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/LV/birth';
const DAY = 86_400_000;

const redis = new Redis(REDIS_URL);
const prefix = testPrefix('audit');
const key = generateKey();
let clock = Date.parse('2025-03-01T12:00:00Z');
const now = (): Date => new Date(clock);
const audit = createAuditTrail(redis, { prefix, key, retentionDays: 365, now });

const evidence: ExchangeSummary = {
  outcome: 'evidence',
  edmCode: undefined,
  evidenceType: BIRTH,
  mappingId: 'lv-birth-certificate',
  mappingVersion: '1.2.0',
  detail: undefined,
};
const pdf = new TextEncoder().encode('%PDF-1.7 synthetic evidence of Anna Bērziņa');

function input(n: string, subject: string | undefined, over: Partial<AuditInput> = {}): AuditInput {
  return {
    conversationId: `conv-${n}`,
    requestId: `urn:uuid:0000000${n}-aaaa-4bbb-8ccc-dddddddddddd`,
    exchangeRef: `xref${n}`,
    requester: 'urn:cef.eu:names:identifier:EAS:9930|DE73524311',
    summary: evidence,
    evidence: [{ href: `cid:ev${n}@oots.lv`, mimeType: 'application/pdf', bytes: pdf }],
    subjectIdentifier: subject,
    ...over,
  };
}

afterAll(async () => {
  await deleteKeys(redis, prefix);
  await redis.quit();
});

describe('audit trail', () => {
  test('a record is found by conversation id, request id and exchange ref, with the evidence digest and no identifier', async () => {
    const { id, duplicate } = await audit.record(input('1', ANNA));
    expect(duplicate).toBe(false);
    expect(id).toMatch(new RegExp(`^${clock}-\\d+$`));
    const byConv = await audit.byExchange('conv-1');
    expect(byConv).toHaveLength(1);
    expect(byConv[0]).toEqual({
      id,
      event: 'answered',
      time: '2025-03-01T12:00:00.000Z',
      conversationId: 'conv-1',
      requestId: 'urn:uuid:00000001-aaaa-4bbb-8ccc-dddddddddddd',
      exchangeRef: 'xref1',
      requester: 'urn:cef.eu:names:identifier:EAS:9930|DE73524311',
      evidenceType: BIRTH,
      mappingId: 'lv-birth-certificate',
      mappingVersion: '1.2.0',
      outcome: 'evidence',
      edmCode: undefined,
      detail: undefined,
      evidence: [
        {
          href: 'cid:ev1@oots.lv',
          mimeType: 'application/pdf',
          size: pdf.byteLength,
          sha256: createHash('sha256').update(pdf).digest('hex'),
        },
      ],
      subjectDigest: audit.subjectDigest(ANNA),
      systemCheck: false,
    });
    expect(await audit.byExchange('urn:uuid:00000001-aaaa-4bbb-8ccc-dddddddddddd')).toEqual(byConv);
    expect(await audit.byExchange('xref1')).toEqual(byConv);
    expect(await audit.byExchange('conv-unknown')).toEqual([]);

    // Nothing in Redis (keys or values) holds the identifier, in any form.
    const keys = await redis.keys(`${prefix}*`);
    const raw = [keys.join('\n'), JSON.stringify(await redis.xrange(`${prefix}log`, '-', '+'))].join('\n');
    for (const form of [ANNA, '12048814731', '120488-14731', 'Bērziņa']) expect(raw).not.toContain(form);
  });

  test('a retried job records an event once; delivery is a second event of the same exchange', async () => {
    expect((await audit.record(input('1', ANNA))).duplicate).toBe(true);
    clock += 5000;
    expect((await audit.record(input('1', ANNA, { event: 'delivered' }))).duplicate).toBe(false);
    const records = await audit.byExchange('xref1');
    expect(records.map((r) => r.event)).toEqual(['answered', 'delivered']);
  });

  test("by subject: exactly that person's exchanges (two people, three exchanges)", async () => {
    clock += 60_000;
    await audit.record(
      input('2', JANIS, {
        summary: { ...evidence, outcome: 'error', edmCode: 'EDM:ERR:0004', detail: 'no record' },
        evidence: [],
      }),
    );
    clock += 60_000;
    await audit.record(input('3', ANNA));
    await audit.record(
      input('4', undefined, {
        summary: {
          ...evidence,
          outcome: 'error',
          edmCode: 'EDM:ERR:0003',
          mappingId: undefined,
          detail: 'R-EDM-REQ-C001',
        },
      }),
    );

    const anna = await audit.bySubject(ANNA);
    expect(anna.map((r) => [r.conversationId, r.event])).toEqual([
      ['conv-1', 'answered'],
      ['conv-1', 'delivered'],
      ['conv-3', 'answered'],
    ]);
    const janis = await audit.bySubject(JANIS);
    expect(janis.map((r) => [r.conversationId, r.outcome, r.edmCode])).toEqual([['conv-2', 'error', 'EDM:ERR:0004']]);
    // Same canonical form: case and spaces do not matter; another person finds nothing.
    expect(await audit.bySubject(' lv/de/12048814731 ')).toEqual(anna);
    expect(await audit.bySubject('LV/DE/17028115143')).toEqual([]);
  });

  test('counts by outcome for the ops summary', async () => {
    const c = await audit.countSince(new Date(clock - 3_600_000));
    expect(c).toEqual({
      total: 4,
      byOutcome: { evidence: 2, error: 2 },
      byEdmCode: { 'EDM:ERR:0004': 1, 'EDM:ERR:0003': 1 },
    });
  });

  test('a system check (procedure 00) is recorded as one and left out of the production counts', async () => {
    const scPrefix = testPrefix('audit-sc');
    const trail = createAuditTrail(redis, { prefix: scPrefix, key, now });
    try {
      await trail.record(input('5', undefined));
      await trail.record(input('6', undefined, { summary: { ...evidence, systemCheck: true } }));
      await trail.record(
        input('7', undefined, {
          summary: { ...evidence, outcome: 'error', edmCode: 'EDM:ERR:0007', systemCheck: true },
          evidence: [],
        }),
      );
      expect((await trail.byExchange('conv-5'))[0]?.systemCheck).toBe(false);
      expect((await trail.byExchange('conv-6'))[0]?.systemCheck).toBe(true);
      expect((await trail.byExchange('conv-7'))[0]).toMatchObject({ systemCheck: true, edmCode: 'EDM:ERR:0007' });
      expect(await trail.countSince(new Date(clock - 3_600_000))).toEqual({
        total: 1,
        byOutcome: { evidence: 1 },
        byEdmCode: {},
      });
    } finally {
      await deleteKeys(redis, scPrefix);
    }
  });

  test('it is in Redis: a new client and a new trail find the same records', async () => {
    const other = new Redis(REDIS_URL);
    try {
      const again = createAuditTrail(other, { prefix, key, now });
      expect(await again.bySubject(ANNA)).toEqual(await audit.bySubject(ANNA));
      expect(await again.byExchange('conv-2')).toHaveLength(1);
      // Another key cannot find the person: the digest is keyed.
      const foreign = createAuditTrail(other, { prefix, key: generateKey(), now });
      expect(await foreign.bySubject(ANNA)).toEqual([]);
    } finally {
      await other.quit();
    }
  });

  test('purge removes records past retention and keeps the rest', async () => {
    const total = async (): Promise<number> => {
      let n = 0;
      for await (const r of audit.iterate({ pageSize: 2 })) if (r.conversationId !== '') n++;
      return n;
    };
    expect(await total()).toBe(5);
    clock += 300 * DAY;
    await audit.record(input('5', ANNA));
    clock += 100 * DAY; // the first five are now 400 days old, conv-5 is 100 days old
    expect(await audit.purgeExpired()).toBe(5);
    expect(await audit.byExchange('conv-1')).toEqual([]);
    expect(await audit.byExchange('conv-2')).toEqual([]);
    expect((await audit.bySubject(ANNA)).map((r) => r.conversationId)).toEqual(['conv-5']);
    expect(await audit.bySubject(JANIS)).toEqual([]);
    expect(await total()).toBe(1);
    expect(await audit.purgeOlderThan(new Date(clock + 1))).toBe(1);
    expect(await total()).toBe(0);
  });

  test('a clock behind the last record (another host) still appends, after it', async () => {
    await audit.record(input('7', JANIS));
    const last = clock;
    clock -= 10_000;
    const { id } = await audit.record(input('6', JANIS));
    expect(Number(id!.split('-')[0])).toBe(last);
    expect((await audit.byExchange('conv-6'))[0]!.time).toBe(new Date(clock).toISOString());
  });
});
