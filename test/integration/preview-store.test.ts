/** The preview session store on a real Redis, with an injected clock. */
import { Redis } from 'ioredis';
import { CryptoError, generateKey } from '../../src/infra/aead.js';
import {
  createPreviewStore,
  effectiveState,
  type PreviewStore,
  type ReleasedRequest,
} from '../../src/preview/session-store.js';
import { startPreviewSweeper } from '../../src/preview/sweeper.js';
import { pino } from 'pino';
import { deleteKeys, REDIS_URL, testPrefix } from '../support/connector-fixtures.js';
import { EVIDENCE_MARKER, sessionInput } from './preview-support.js';

const redis = new Redis(REDIS_URL);
const prefix = testPrefix('preview-store');
const key = generateKey();
let clock = Date.parse('2025-03-01T10:00:00Z');
const T2 = 900;
const T3 = 2400;
const store = createPreviewStore(redis, {
  prefix,
  key,
  publicBaseUrl: 'https://preview.example.lv/oots/',
  t2Seconds: T2,
  t3Seconds: T3,
  retentionSeconds: 3600,
  now: () => new Date(clock),
});
const EV1 = 'urn:uuid:0b7c8f7e-1d1e-4f7b-9a39-3f5c1c2a0001';
const EV2 = 'urn:uuid:0b7c8f7e-1d1e-4f7b-9a39-3f5c1c2a0002';
const BOTH = { approved: [EV1], declined: [EV2] };

afterAll(async () => {
  await deleteKeys(redis, prefix);
  await redis.quit();
});

async function opened(s: PreviewStore = store): Promise<string> {
  const { sessionId } = await s.create(sessionInput());
  expect(await s.markOpened(sessionId)).toBe('opened');
  return sessionId;
}

async function rawValues(sessionId: string): Promise<Buffer> {
  const keys = await redis.keys(`${prefix}*`);
  const parts: Buffer[] = keys.map((k) => Buffer.from(k));
  for (const k of keys) {
    const type = await redis.type(k);
    if (type === 'hash') parts.push(...Object.values(await redis.hgetallBuffer(k)));
    if (type === 'string') parts.push((await redis.getBuffer(k))!);
    if (type === 'zset') parts.push(...(await redis.zrangeBuffer(k, '0', '-1')));
  }
  expect(parts.some((p) => p.includes(Buffer.from(sessionId)))).toBe(true);
  return Buffer.concat(parts);
}

describe('preview session store', () => {
  test('create: a 256-bit url-safe session id, the location under the public base URL, everything readable back', async () => {
    const { sessionId, location } = await store.create(sessionInput({ exchangeId: 'ex-1' }));
    expect(sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(location).toBe(`https://preview.example.lv/oots/preview/${sessionId}`);
    const s = (await store.get(sessionId))!;
    expect(s).toMatchObject({
      state: 'pending',
      version: 'oots-edm:v1.2',
      location,
      evidenceIds: [EV1, EV2],
      decision: undefined,
    });
    expect(s.openBy.toISOString()).toBe('2025-03-01T10:15:00.000Z');
    expect(s.content!.subject).toEqual(sessionInput().subject);
    expect(s.content!.evidences[0]!.fields[1]!.value).toBe(EVIDENCE_MARKER);
    expect(s.content!.evidences[0]).not.toHaveProperty('bytes');
    expect(Buffer.from((await store.evidenceBytes(sessionId, EV2))!).toString()).toContain(EVIDENCE_MARKER);
    expect(await store.findByLocation(location)).toBe(sessionId);
    expect(await store.findByLocation(location.replace('preview.example.lv', 'other.example'))).toBeUndefined();
    expect(await store.findByLocation(`${location}x`)).toBeUndefined();
    expect(await store.findByExchangeId('ex-1')).toBe(sessionId);
    expect(await store.findByExchangeId('ex-2')).toBeUndefined();
    const ids = new Set(
      await Promise.all(Array.from({ length: 20 }, async () => (await store.create(sessionInput())).sessionId)),
    );
    expect(ids.size).toBe(20);
  });

  test('refuses sessions without evidence or with duplicate or unsafe evidence ids', async () => {
    const ev = sessionInput().evidences[0]!;
    await expect(store.create(sessionInput({ evidences: [] }))).rejects.toMatchObject({ code: 'ERR_PREVIEW_INPUT' });
    await expect(store.create(sessionInput({ evidences: [ev, ev] }))).rejects.toMatchObject({
      code: 'ERR_PREVIEW_INPUT',
    });
    await expect(store.create(sessionInput({ evidences: [{ ...ev, id: 'a b' }] }))).rejects.toMatchObject({
      code: 'ERR_PREVIEW_INPUT',
    });
  });

  test('encrypted at rest: no subject, field value, evidence bytes, return address or exchange id in raw Redis', async () => {
    const { sessionId } = await store.create(sessionInput({ exchangeId: 'secret-exchange-id-77' }));
    await store.setReturnLocation(sessionId, 'https://portal.example.de/secret-return');
    const raw = await rawValues(sessionId);
    for (const secret of [
      EVIDENCE_MARKER,
      'Bērziņa',
      '12048814731',
      '%PDF',
      'secret-exchange-id-77',
      'secret-return',
      'Studienstiftung',
      'xREQUEST1',
    ])
      expect(raw.includes(Buffer.from(secret))).toBe(false);
  });

  test('a sealed value moved to another session or opened with another key fails', async () => {
    const a = (await store.create(sessionInput())).sessionId;
    const b = (await store.create(sessionInput())).sessionId;
    await redis.hset(`${prefix}s:${b}`, 'data', (await redis.hgetBuffer(`${prefix}s:${a}`, 'data'))!);
    await expect(store.get(b)).rejects.toBeInstanceOf(CryptoError);
    const other = createPreviewStore(redis, {
      prefix,
      key: generateKey(),
      publicBaseUrl: 'https://x',
      t2Seconds: T2,
      t3Seconds: T3,
    });
    await expect(other.get(a)).rejects.toBeInstanceOf(CryptoError);
  });

  test('T2: not opened in time → expired, evidence purged; opening ends T2 and starts T3', async () => {
    const late = (await store.create(sessionInput())).sessionId;
    const early = (await store.create(sessionInput())).sessionId;
    clock += T2 * 1000;
    expect(await store.markOpened(early)).toBe('opened'); // exactly at the deadline: still in time
    clock += 1;
    expect(await store.state(late)).toBe('expired'); // read before any sweep
    expect(await store.markOpened(late)).toBe('expired');
    expect((await store.get(late))!.content).toBeUndefined();
    expect(await store.evidenceBytes(late, EV1)).toBeUndefined();
    const s = (await store.get(early))!;
    expect(s.state).toBe('opened');
    expect(s.decideBy!.getTime()).toBe(clock - 1 + T3 * 1000);
    expect(await store.markOpened(early)).toBe('opened'); // idempotent: T3 does not restart
    expect((await store.get(early))!.decideBy!.getTime()).toBe(s.decideBy!.getTime());
  });

  test('T3: not decided in time → expired; the decision is refused and the evidence gone', async () => {
    const sid = await opened();
    clock += T3 * 1000 + 1;
    expect(await store.state(sid)).toBe('expired');
    expect(await store.decide(sid, BOTH)).toEqual({ ok: false, reason: 'expired', releasedExchangeRef: undefined });
    expect(await store.approvedEvidences(sid)).toEqual([]);
    expect(await store.evidenceBytes(sid, EV1)).toBeUndefined();
  });

  test('decide is single use, needs the link opened and a choice for every evidence; declined bytes go at once', async () => {
    const { sessionId: pending } = await store.create(sessionInput());
    expect(await store.decide(pending, BOTH)).toEqual({ ok: false, reason: 'not-opened' });
    const sid = await opened();
    expect(await store.decide(sid, { approved: [EV1], declined: [] })).toEqual({
      ok: false,
      reason: 'invalid-decision',
    });
    expect(await store.decide(sid, { approved: [EV1], declined: [EV1] })).toEqual({
      ok: false,
      reason: 'invalid-decision',
    });
    expect(await store.decide(sid, { approved: [EV1, 'urn:x'], declined: [EV2] })).toEqual({
      ok: false,
      reason: 'invalid-decision',
    });
    expect(await store.decide(sid, BOTH)).toEqual({ ok: true, releasedExchangeRef: undefined });
    expect(await store.decide(sid, { approved: [], declined: [EV1, EV2] })).toEqual({
      ok: false,
      reason: 'already-decided',
    });
    expect((await store.get(sid))!.decision).toEqual(BOTH);
    expect(await store.evidenceBytes(sid, EV2)).toBeUndefined();
    expect(await store.evidenceBytes(sid, EV1)).toBeDefined();
    expect(await store.expire(sid)).toEqual({ expired: false, releasedExchangeRef: undefined });
    await store.purgeEvidence(sid);
    expect(await store.evidenceBytes(sid, EV1)).toBeUndefined();
    expect((await store.get(sid))!.content).toBeUndefined();
    expect((await store.get(sid))!.state).toBe('decided');
  });

  test('concurrent decisions: exactly one wins', async () => {
    const sid = await opened();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.decide(sid, i % 2 === 0 ? BOTH : { approved: [], declined: [EV1, EV2] }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.reason === 'already-decided')).toHaveLength(19);
  });

  test('v1.x request #2: decided → the decision; not completed → expired (EDM:ERR:0005) and the session closes', async () => {
    const done = await opened();
    await store.decide(done, BOTH);
    expect(await store.attachRequest(done, 'xR2', { park: false })).toEqual({ status: 'decided', decision: BOTH });
    expect(await store.attachRequest(done, 'xR2', { park: false })).toEqual({ status: 'decided', decision: BOTH }); // retried job
    expect(await store.attachRequest(done, 'xR3', { park: false })).toEqual({ status: 'duplicate', ownerRef: 'xR2' });

    const open = await opened();
    expect(await store.attachRequest(open, 'xR4', { park: false })).toEqual({ status: 'expired' });
    expect(await store.decide(open, BOTH)).toMatchObject({ ok: false, reason: 'expired' });
    const never = (await store.create(sessionInput())).sessionId;
    expect(await store.attachRequest(never, 'xR5', { park: false })).toEqual({ status: 'expired' });
    expect(await store.attachRequest('A'.repeat(43), 'xR6', { park: false })).toEqual({ status: 'not-found' });
  });

  test('v2.0 race, decision first: request #2 is answered at once, nothing parked', async () => {
    const sid = await opened();
    expect(await store.decide(sid, BOTH)).toEqual({ ok: true, releasedExchangeRef: undefined });
    expect(await store.attachRequest(sid, 'xR2', { park: true })).toEqual({ status: 'decided', decision: BOTH });
    expect(await store.listReleased(0, 1000)).not.toContainEqual(expect.objectContaining({ sessionId: sid }));
  });

  test('v2.0 race, request #2 first: parked, then released exactly once by the decision', async () => {
    const sid = await opened();
    expect(await store.attachRequest(sid, 'xR2', { park: true })).toEqual({ status: 'parked' });
    expect(await store.attachRequest(sid, 'xR2', { park: true })).toEqual({ status: 'parked' }); // retried job
    expect(await store.attachRequest(sid, 'xR9', { park: true })).toEqual({ status: 'duplicate', ownerRef: 'xR2' });
    expect(await store.decide(sid, BOTH)).toEqual({ ok: true, releasedExchangeRef: 'xR2' });
    expect(await store.listReleased(0, 1000)).toContainEqual({ sessionId: sid, exchangeRef: 'xR2' });
    await store.ackReleased(sid);
    expect(await store.listReleased(0, 1000)).not.toContainEqual({ sessionId: sid, exchangeRef: 'xR2' });
    // The released job attaches again and now reads the decision.
    expect(await store.attachRequest(sid, 'xR2', { park: true })).toEqual({ status: 'decided', decision: BOTH });
  });

  test('v2.0 race, decision and request #2 at the same moment, many times: request #2 is answered exactly once', async () => {
    for (let i = 0; i < 30; i++) {
      const sid = await opened();
      const [decided, attached] = await Promise.all([
        store.decide(sid, BOTH),
        store.attachRequest(sid, `xR-${i}`, { park: true }),
      ]);
      expect(decided.ok).toBe(true);
      const releasedByDecision = decided.ok && decided.releasedExchangeRef === `xR-${i}`;
      const answeredAtOnce = attached.status === 'decided';
      expect(attached.status === 'parked' || attached.status === 'decided').toBe(true);
      expect(Number(releasedByDecision) + Number(answeredAtOnce)).toBe(1);
    }
  });

  test('v2.0: T3 passes with request #2 parked → the sweep expires the session and releases it once (EDM:ERR:0005)', async () => {
    const sid = await opened();
    const idle = await opened();
    expect(await store.attachRequest(sid, 'xR2', { park: true })).toEqual({ status: 'parked' });
    clock += T3 * 1000 + 1;
    const [a, b] = await Promise.all([store.sweepExpired(1000), store.sweepExpired(1000)]);
    const released = [...a.released, ...b.released].filter((r) => r.sessionId === sid);
    expect(released).toEqual([{ sessionId: sid, exchangeRef: 'xR2' }]);
    expect([...a.expired, ...b.expired].filter((s) => s === sid || s === idle).sort()).toEqual([sid, idle].sort());
    expect(await store.attachRequest(sid, 'xR2', { park: true })).toEqual({ status: 'expired' });
    expect(await store.decide(sid, BOTH)).toMatchObject({ ok: false, reason: 'expired' });
    expect((await store.sweepExpired(1000)).expired).not.toContain(sid);
  });

  test('expire vs decide vs attach racing: one final state, and a parked ref is released at most once', async () => {
    for (let i = 0; i < 30; i++) {
      const sid = await opened();
      await store.attachRequest(sid, `xE-${i}`, { park: true });
      const [d, e] = await Promise.all([store.decide(sid, BOTH), store.expire(sid)]);
      const releases = [
        d.ok || d.reason === 'expired' ? d.releasedExchangeRef : undefined,
        e.releasedExchangeRef,
      ].filter((r) => r !== undefined);
      expect(releases).toEqual([`xE-${i}`]);
      const final = await store.state(sid);
      expect(final === 'decided' ? d.ok && !e.expired : !d.ok && e.expired).toBe(true);
    }
  });

  test('the sweeper hands a released request #2 on, acknowledges it, and hands it on again after a failed hand-on', async () => {
    const sid = await opened();
    await store.attachRequest(sid, 'xSW', { park: true });
    clock += T3 * 1000 + 1;
    const seen: ReleasedRequest[] = [];
    let fail = true;
    const sweeper = startPreviewSweeper({
      store,
      logger: pino({ level: 'silent' }),
      intervalMs: 3_600_000,
      graceMs: 0,
      onReleased: (r) => {
        seen.push(r);
        return fail ? Promise.reject(new Error('queue down')) : Promise.resolve();
      },
    });
    try {
      const first = await sweeper.runOnce();
      expect(first.handedOn).toBe(0);
      fail = false;
      const second = await sweeper.runOnce();
      expect(second.handedOn).toBeGreaterThanOrEqual(1);
      expect(seen.filter((r) => r.sessionId === sid)).toEqual([
        { sessionId: sid, exchangeRef: 'xSW' },
        { sessionId: sid, exchangeRef: 'xSW' },
      ]);
      await sweeper.runOnce();
      expect(seen.filter((r) => r.sessionId === sid)).toHaveLength(2);
    } finally {
      await sweeper.stop();
    }
  });

  test('request #2 linked to its session: after delivery the evidence goes, the state and decision stay (keys unchanged)', async () => {
    const sid = await opened();
    expect((await store.decide(sid, BOTH)).ok).toBe(true);
    expect(await store.attachRequest(sid, 'xLINK', { park: false })).toEqual({ status: 'decided', decision: BOTH });
    await store.linkExchange('xLINK', sid, 600);
    // The same key as before the preview port went through the store: no migration.
    expect(await redis.get(`${prefix}byref:xLINK`)).toBe(sid);
    expect(await redis.ttl(`${prefix}byref:xLINK`)).toBeGreaterThan(590);
    expect(await store.approvedEvidences(sid)).toHaveLength(1);

    await store.purgeAfterDelivery('xLINK');
    expect(await store.approvedEvidences(sid)).toEqual([]);
    expect(await store.evidenceBytes(sid, EV1)).toBeUndefined();
    const after = await store.get(sid);
    expect(after?.content).toBeUndefined();
    expect(after?.state).toBe('decided');
    expect(after?.decision).toEqual(BOTH);
    expect(await redis.exists(`${prefix}byref:xLINK`)).toBe(0);
    // Unknown or already purged: nothing to do.
    await store.purgeAfterDelivery('xLINK');
    await store.purgeAfterDelivery('xNONE');
  });

  test('the sweeper runs on its own timer, and stop waits for the round in progress', async () => {
    const sid = await opened();
    await store.attachRequest(sid, 'xTIMER', { park: true });
    clock += T3 * 1000 + 1;
    const seen: ReleasedRequest[] = [];
    let release: () => void = () => undefined;
    const sweeper = startPreviewSweeper({
      store,
      logger: pino({ level: 'silent' }),
      intervalMs: 10,
      graceMs: 0,
      onReleased: (r) => {
        seen.push(r);
        // Held until released below, so that `stop` finds a round in progress.
        return r.sessionId === sid ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve();
      },
    });
    for (let i = 0; i < 200 && !seen.some((r) => r.sessionId === sid); i++) await new Promise((r) => setTimeout(r, 10));
    expect(seen.filter((r) => r.sessionId === sid)).toEqual([{ sessionId: sid, exchangeRef: 'xTIMER' }]);
    let stopped = false;
    const stopping = sweeper.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(await store.listReleased(0, 100)).not.toContainEqual({ sessionId: sid, exchangeRef: 'xTIMER' });
  });

  test('effectiveState reads passed deadlines as expired', () => {
    expect(effectiveState('pending', 100, undefined, 100)).toBe('pending');
    expect(effectiveState('pending', 100, undefined, 101)).toBe('expired');
    expect(effectiveState('opened', 100, 200, 150)).toBe('opened');
    expect(effectiveState('opened', 100, 200, 201)).toBe('expired');
    expect(effectiveState('decided', 100, 200, 10_000)).toBe('decided');
  });
});
