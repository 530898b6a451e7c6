/**
 * The fault suite: real adapter processes (one `api` process with the REST intake and the connector
 * stand-in, worker processes) on a real Redis, the DAGR sandbox in this process, load sent as the
 * REST connector sends it. Each scenario injects a fault during the load and then checks, from the
 * stand-in's outbox, that every accepted request has exactly one answer (one distinct AS4
 * MessageId per conversation), none lost, none for a conversation nobody sent, and that each answer
 * is evidence or the EDM error the fault calls for.
 *
 *   (a) a worker SIGKILLed at random points under load while another continues; restarted
 *   (b) Redis (private, AOF appendfsync always, then everysec) SIGKILLed and restarted mid-load
 *   (c) DAGR down (connections reset), slow (latency > client timeout), 429 with Retry-After, 5xx
 *   (d) the connector stand-in refusing deliveries for a while
 *   (e) duplicate deliveries: the same MessageId several times at once; the same request id under
 *       new MessageIds
 *   (f) a clock jump past the preview deadlines (T2 for links never opened, T3 for opened ones) in
 *       the adapter process (test/support/stress-clock.mjs shifts its Date on SIGUSR2): the links
 *       show "expired", every request #2 gets exactly one EDM:ERR:0005; in v2.0 also the requests #2
 *       parked (sent before the citizen decided) are released by the expiry and answered once
 *
 * Sized for CI on two cores (60–120 requests per scenario); figures go to stdout for
 * docs/reliability.md. Waiting for a SIGKILLed worker's jobs takes BullMQ's lock duration (30 s).
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RestEnvelope } from '../../src/connector/envelope.js';
import { startEmbeddedDagrSandbox, type EmbeddedDagr } from '../../src/sandbox/dagr-embedded.js';
import { startPrivateRedis, type PrivateRedis } from '../../src/sandbox/redis.js';
import { asV2 } from '../support/exchange-fixtures.js';
import { startAdapter, type AdapterProcess } from '../support/processes.js';
import {
  awaitAnswers,
  clearOutbox,
  deleteKeysAt,
  envelopeOf,
  example,
  fresh,
  readOutbox,
  outcomeCounts,
  pool,
  postEnvelope,
  QUICK_RETRIES,
  sleep,
  stressEnv,
  stressPrefix,
  type Tally,
  workload,
} from '../support/stress-harness.js';

const SHARED_REDIS = 'redis://127.0.0.1:6379';
const token = randomBytes(16).toString('hex');
const key = randomBytes(32).toString('base64');
const dataDir = mkdtempSync(path.join(tmpdir(), 'oots-faults-'));
const keyFile = path.join(dataDir, 'dagr-sandbox-client.pem');
let dagr: EmbeddedDagr;

const QUICK = { ...QUICK_RETRIES, CONNECTOR_OUTBOUND_TIMEOUT_MS: '5000' };

interface Topology {
  readonly redisUrl: string;
  readonly prefix: string;
  api: AdapterProcess;
  workers: AdapterProcess[];
  readonly env: Record<string, string>;
  readonly workerEnv: () => Record<string, string>;
}

async function startTopology(redisUrl: string, name: string, workers: number): Promise<Topology> {
  const prefix = stressPrefix(name);
  const env = { ...stressEnv({ redisUrl, prefix, token, key, dataDir }), ...QUICK };
  const api = await startAdapter(env, ['--role', 'api']);
  const workerEnv = (): Record<string, string> => ({
    ...env,
    DAGR_BASE_URL: dagr.url,
    DAGR_CLIENT_ID: 'oots-adapter-sandbox',
    DAGR_PRIVATE_KEY_FILE: keyFile,
    CONNECTOR_OUTBOUND_URL: `${api.ready.api!}/sandbox/connector/inbox`,
  });
  const started = await Promise.all(Array.from({ length: workers }, () => startAdapter(workerEnv(), ['--role', 'worker'])));
  return { redisUrl, prefix, api, workers: started, env, workerEnv };
}

async function stopTopology(t: Topology | undefined): Promise<void> {
  if (t === undefined) return;
  await Promise.all(t.workers.map((w) => w.stop()));
  await t.api.stop();
}

/** Posts every envelope (at most `concurrency` at once), retrying 503s like a connector; returns the accepted conversations. */
async function load(api: string, envelopes: readonly RestEnvelope[], concurrency = 6, paceMs = 0): Promise<string[]> {
  return (await loadCounting(api, envelopes, concurrency, paceMs)).accepted;
}

/** As `load`; request i starts no earlier than i × paceMs after the start, so faults land mid-load. */
async function loadCounting(
  api: string,
  envelopes: readonly RestEnvelope[],
  concurrency: number,
  paceMs = 0,
): Promise<{ accepted: string[]; retried: number; slowestAcceptMs: number }> {
  const start = Date.now();
  const results = await pool(envelopes, concurrency, async (e, i) => {
    const due = start + i * paceMs - Date.now();
    if (due > 0) await sleep(due);
    return postEnvelope(api, token, e, { untilAccepted: true, deadlineMs: 90_000 });
  });
  const accepted = envelopes.filter((_e, i) => results[i]!.status === 202).map((e) => e.userMessage.conversationId);
  const refused = results.filter((r) => r.status !== 202).map((r) => r.status);
  expect(refused).toEqual([]);
  return {
    accepted,
    retried: results.filter((r) => r.attempts > 1).length,
    slowestAcceptMs: Math.round(Math.max(...results.map((r) => r.ms))),
  };
}

function report(name: string, accepted: number, t: Tally, extra: Record<string, unknown> = {}): void {
  process.stdout.write(
    `fault scenario ${name}: accepted ${accepted}, lost ${t.lost.length}, duplicate answers ${t.duplicated.length}, ` +
      `same-MessageId re-deliveries ${t.redeliveries}, strays ${t.strays.length}, outcomes ${JSON.stringify(outcomeCounts(t))} ${JSON.stringify(extra)}\n`,
  );
}

function expectExactlyOnce(t: Tally, allowed: readonly string[]): void {
  expect(t.lost).toEqual([]);
  expect(t.duplicated).toEqual([]);
  expect(t.strays).toEqual([]);
  const unexpected = [...t.outcomes.values()].filter((o) => !allowed.includes(o));
  expect(unexpected).toEqual([]);
}

beforeAll(async () => {
  dagr = await startEmbeddedDagrSandbox({ host: '127.0.0.1', port: 0, clientId: 'oots-adapter-sandbox', keyFile });
}, 30_000);

afterAll(async () => {
  await dagr?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('on the shared Redis: one api process, two worker processes', () => {
  let t: Topology;

  beforeAll(async () => {
    t = await startTopology(SHARED_REDIS, 'faults', 2);
  }, 120_000);

  afterAll(async () => {
    await stopTopology(t);
    if (t !== undefined) await deleteKeysAt(SHARED_REDIS, t.prefix);
  }, 60_000);

  beforeEach(async () => {
    dagr.faults.clear();
    await clearOutbox(t.api.ready.api!);
  });

  test('(a) a worker SIGKILLed twice at random points under load loses nothing and answers nothing twice', async () => {
    const api = t.api.ready.api!;
    const envelopes = workload(120);
    const kills: number[] = [];
    const chaos = (async () => {
      for (let round = 0; round < 2; round++) {
        const wait = randomInt(300, 2500);
        await sleep(wait);
        const victim = t.workers[0]!;
        await victim.stop('SIGKILL');
        kills.push(wait);
        await sleep(500);
        t.workers[0] = await startAdapter(t.workerEnv(), ['--role', 'worker']);
      }
    })();
    const accepted = await load(api, envelopes, 4, 30);
    await chaos;
    // Jobs the killed worker held come back when their lock expires (BullMQ lockDuration, 30 s).
    const tally = await awaitAnswers(api, accepted, { timeoutMs: 100_000, settleMs: 2000 });
    report('(a) SIGKILL worker', accepted.length, tally, { killedAfterMs: kills });
    expectExactlyOnce(tally, ['Success']);
  }, 240_000);

  test('(c) DAGR down, slow, 429 with Retry-After and 5xx: answers are delayed, or EDM:ERR:0005, never lost or doubled', async () => {
    const api = t.api.ready.api!;
    const phases: [string, () => void, number][] = [
      ['down (connections reset)', () => dagr.faults.set({ down: 'reset' }), 2500],
      ['slow (latency 1500 ms > timeout 1000 ms)', () => dagr.faults.set({ latencyMs: 1500 }), 2500],
      ['429 with Retry-After: 1', () => dagr.faults.set({ failNext: { count: 40, status: 429, retryAfterSeconds: 1 } }), 0],
      ['500 for the next 8 calls (passing)', () => dagr.faults.set({ failNext: { count: 8, status: 500 } }), 0],
      ['503 for the next 40 calls (outlasting the retries)', () => dagr.faults.set({ failNext: { count: 40, status: 503 } }), 0],
    ];
    for (const [name, inject, lastsMs] of phases) {
      dagr.faults.clear();
      await clearOutbox(api);
      const before = dagr.sandbox.stats();
      inject();
      const loading = load(api, workload(30), 4, 20);
      if (lastsMs > 0) {
        await sleep(lastsMs);
        dagr.faults.clear();
      }
      const accepted = await loading;
      const tally = await awaitAnswers(api, accepted, { timeoutMs: 60_000, settleMs: 1000 });
      dagr.faults.clear();
      report(`(c) DAGR ${name}`, accepted.length, tally, { dagrStats: diffStats(before, dagr.sandbox.stats()) });
      expectExactlyOnce(tally, ['Success', 'EDM:ERR:0005']);
    }
  }, 240_000);

  test('(d) the connector refusing deliveries for a while: every answer arrives once', async () => {
    const api = t.api.ready.api!;
    const set = await fetch(`${api}/sandbox/connector/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refuseNext: 60, status: 503 }),
    });
    expect(set.status).toBe(200);
    const accepted = await load(api, workload(60), 4);
    const tally = await awaitAnswers(api, accepted, { timeoutMs: 60_000, settleMs: 1500 });
    const left = (await (await fetch(`${api}/sandbox/connector/faults`)).json()) as { refuseNext: number };
    report('(d) connector refusing', accepted.length, tally, { refusalsLeft: left.refuseNext });
    expect(left.refuseNext).toBe(0); // the refusals really happened
    expectExactlyOnce(tally, ['Success']);
  }, 120_000);

  test('(e) duplicate deliveries: same MessageId three times at once, same request id under a new MessageId', async () => {
    const api = t.api.ready.api!;
    const envelopes = workload(40);
    // Each envelope three times concurrently (a connector retrying after a lost 202).
    const sameMessage = envelopes.flatMap((e) => [e, e, e]);
    // Ten of them again under a new MessageId (the requester's resend, in a conversation of its own):
    // every new MessageId gets one answer, the first one's again.
    const sameRequest = envelopes.slice(0, 10).map((e) => ({
      ...e,
      userMessage: { ...e.userMessage, messageId: `${randomBytes(8).toString('hex')}@resend.invalid`, conversationId: randomUUID() },
    }));
    const results = await pool([...sameMessage, ...sameRequest], 8, (e) => postEnvelope(api, token, e, { untilAccepted: true }));
    expect(results.filter((r) => r.status !== 202)).toEqual([]);
    const accepted = [...envelopes, ...sameRequest].map((e) => e.userMessage.conversationId);
    const tally = await awaitAnswers(api, accepted, { timeoutMs: 60_000, settleMs: 2500 });
    report('(e) duplicates', accepted.length, tally, { posts: results.length });
    expectExactlyOnce(tally, ['Success']);
    expect(tally.redeliveries).toBe(0);
  }, 120_000);
});

// `always` fsyncs every write before the reply. `everysec` (the production default) fsyncs once a
// second, but Redis write()s the AOF to the kernel before it replies: a crash of the Redis process
// (not of the host) loses nothing that was acknowledged.
describe.each(['always', 'everysec'] as const)('Redis killed and restarted under load (private Redis, AOF appendfsync %s)', (appendfsync) => {
  let redis: PrivateRedis;
  let t: Topology;
  const redisDir = path.join(dataDir, `redis-${appendfsync}`);

  beforeAll(async () => {
    redis = await startPrivateRedis({ dir: redisDir, appendfsync });
    t = await startTopology(redis.url, `redis-restart-${appendfsync}`, 1);
  }, 120_000);

  afterAll(async () => {
    await stopTopology(t);
    await redis?.stop();
  }, 60_000);

  test('(b) SIGKILL of Redis mid-run: accepted requests survive and are answered exactly once', async () => {
    const api = t.api.ready.api!;
    const envelopes = workload(100);
    let downMs = 0;
    const chaos = (async () => {
      await sleep(randomInt(1000, 2000));
      const started = Date.now();
      process.kill(redis.pid, 'SIGKILL');
      await sleep(1500);
      redis = await startPrivateRedis({ dir: redisDir, port: redis.port, appendfsync });
      downMs = Date.now() - started;
    })();
    const { accepted, retried, slowestAcceptMs } = await loadCounting(api, envelopes, 4, 50);
    await chaos;
    const tally = await awaitAnswers(api, accepted, { timeoutMs: 100_000, settleMs: 2000 });
    report(`(b) Redis SIGKILL + restart, appendfsync ${appendfsync}`, accepted.length, tally, { redisDownMs: downMs, postsRetriedUntilAccepted: retried, slowestAcceptMs });
    expectExactlyOnce(tally, ['Success']);
    // Both processes came through the outage.
    expect(t.api.child.exitCode).toBeNull();
    expect(t.workers[0]!.child.exitCode).toBeNull();
  }, 240_000);
});

describe('a clock jump past the preview deadlines', () => {
  const clockFile = path.join(dataDir, 'clock-offset');
  const clockModule = path.join(path.dirname(fileURLToPath(import.meta.url)), '../support/stress-clock.mjs');
  const prefix = stressPrefix('clock');
  let adapter: AdapterProcess;
  const RETURN_ORIGIN = 'https://portal.example';

  beforeAll(async () => {
    writeFileSync(clockFile, '0');
    adapter = await startAdapter(
      {
        ...stressEnv({ redisUrl: SHARED_REDIS, prefix, token, key, dataDir }),
        ...QUICK,
        NODE_OPTIONS: `--import ${clockModule}`,
        STRESS_CLOCK_FILE: clockFile,
        PREVIEW_RETURN_ORIGINS: RETURN_ORIGIN,
      },
      ['--role', 'all'],
    );
  }, 120_000);

  afterAll(async () => {
    await adapter?.stop();
    await deleteKeysAt(SHARED_REDIS, prefix);
  }, 60_000);

  const withPreview = (xml: string): string => xml.replace(/(PossibilityForPreview">\s*<rim:SlotValue[^>]*>\s*<rim:Value>)false/, '$1true');
  const secondRequest = (first: string, location: string): string => {
    const slot = `<rim:Slot name="PreviewLocation"><rim:SlotValue xsi:type="rim:StringValueType"><rim:Value>${location}</rim:Value></rim:SlotValue></rim:Slot>`;
    return fresh(first.replace('<rim:Slot name="PossibilityForPreview">', `${slot}<rim:Slot name="PossibilityForPreview">`));
  };

  /** The PreviewLocation of each envelope's EDM:ERR:0002 answer, read from the stand-in. */
  const previewLocations = async (api: string, envelopes: readonly RestEnvelope[]): Promise<string[]> => {
    const outbox = await readOutbox(api);
    return Promise.all(
      envelopes.map(async (e) => {
        const m = outbox.find((s) => s.conversationId === e.userMessage.conversationId)!;
        const answer = (await (await fetch(`${api}/sandbox/connector/outbox/${encodeURIComponent(m.messageId)}`)).json()) as RestEnvelope;
        const regrep = Buffer.from(answer.payloads[0]!.contentBase64, 'base64').toString('utf8');
        return /<rim:Slot name="PreviewLocation">\s*<rim:SlotValue[^>]*>\s*<rim:Value>([^<]+)<\/rim:Value>/.exec(regrep)![1]!;
      }),
    );
  };
  /** Moves the adapter's clock to `offsetMs` past real time and lets the preview sweeper (every 5 s) run. */
  let offset = 0;
  const jumpTo = async (offsetMs: number): Promise<void> => {
    offset = offsetMs;
    writeFileSync(clockFile, String(offsetMs));
    adapter.child.kill('SIGUSR2');
    await sleep(7000);
  };
  const PAST_T3_MS = (2400 + 120) * 1000;
  /**
   * An envelope stamped (ebMS Timestamp) at the adapter's clock: time passed for the requester too,
   * so the request is not past its answer deadline (T1) when it arrives; only the preview expired.
   */
  const stampedOf = (xml: string): RestEnvelope => {
    const e = envelopeOf(xml);
    return { ...e, userMessage: { ...e.userMessage, timestamp: new Date(Date.now() + offset).toISOString() } };
  };

  test('(f) links expire and every request #2 gets exactly one EDM:ERR:0005', async () => {
    const api = adapter.ready.api!;
    const firsts = Array.from({ length: 20 }, () => withPreview(fresh(example('lv-birth-certificate-pdf'))));
    const envelopes = firsts.map((xml) => stampedOf(xml));
    // envelopeOf refreshes the request id: keep the XML each envelope really carries.
    const sent = envelopes.map((e) => Buffer.from(e.payloads[0]!.contentBase64, 'base64').toString('utf8'));
    const accepted1 = await load(api, envelopes, 4);
    const t1 = await awaitAnswers(api, accepted1, { timeoutMs: 60_000, settleMs: 500 });
    expectExactlyOnce(t1, ['EDM:ERR:0002']);
    const locations = await previewLocations(api, envelopes);
    // From here on the outbox holds only what follows; a late second answer to a request #1 would be a stray.
    await clearOutbox(api);
    // Half the links are opened (T2 ends, T3 runs), half never.
    for (const link of locations.slice(0, 10)) expect((await fetch(link, { redirect: 'manual' })).status).toBe(303);

    // The jump: past T3 (2400 s) for every session, in the one process that serves pages and works queues.
    await jumpTo(PAST_T3_MS);

    const pages = await Promise.all(locations.map(async (link) => (await fetch(link, { redirect: 'manual' })).status));
    expect(pages).toEqual(locations.map(() => 410));

    const seconds = sent.map((xml, i) => stampedOf(secondRequest(xml, locations[i]!)));
    const accepted2 = await load(api, seconds, 4);
    const t2 = await awaitAnswers(api, accepted2, { timeoutMs: 60_000, settleMs: 1500 });
    report('(f) clock jump past T2/T3', accepted2.length, t2, { opened: 10, neverOpened: 10 });
    expectExactlyOnce(t2, ['EDM:ERR:0005']);
  }, 180_000);

  test('(f, v2.0) requests #2 parked while the citizen has not decided: the jump answers each with exactly one EDM:ERR:0005', async () => {
    const api = adapter.ready.api!;
    await clearOutbox(api); // the answers of the test before
    const firsts = Array.from({ length: 10 }, () => asV2(withPreview(fresh(example('lv-birth-certificate-pdf')))));
    const envelopes = firsts.map((xml) => stampedOf(xml));
    const sent = envelopes.map((e) => Buffer.from(e.payloads[0]!.contentBase64, 'base64').toString('utf8'));
    const exchangeIds = envelopes.map((e) => e.userMessage.properties.find((p) => p.name === 'ExchangeId')!.value);
    const t1 = await awaitAnswers(api, await load(api, envelopes, 4), { timeoutMs: 60_000, settleMs: 500 });
    expectExactlyOnce(t1, ['EDM:ERR:0002']);
    const locations = await previewLocations(api, envelopes);
    await clearOutbox(api);
    for (const link of locations.slice(0, 5)) expect((await fetch(link, { redirect: 'manual' })).status).toBe(303);

    // Request #2 at once (v2.0: same ExchangeId, the PreviewLocation, a ReturnLocation): parked, not answered.
    const returnSlot = `<rim:Slot name="ReturnLocation"><rim:SlotValue xsi:type="rim:StringValueType"><rim:Value>${RETURN_ORIGIN}/back</rim:Value></rim:SlotValue></rim:Slot>`;
    const seconds = sent.map((xml, i) => {
      const e = stampedOf(secondRequest(xml, locations[i]!).replace('<rim:Slot name="PossibilityForPreview">', `${returnSlot}<rim:Slot name="PossibilityForPreview">`));
      e.userMessage.properties = e.userMessage.properties.map((p) => (p.name === 'ExchangeId' ? { ...p, value: exchangeIds[i]! } : p));
      return e;
    });
    const accepted2 = await load(api, seconds, 4);
    expect(accepted2).toHaveLength(10);
    await sleep(2000);
    expect(await readOutbox(api)).toEqual([]);

    // Sessions of this test were created at the clock of the first jump; jump past their T3 too.
    await jumpTo(2 * PAST_T3_MS);
    const pages = await Promise.all(locations.map(async (link) => (await fetch(link, { redirect: 'manual' })).status));
    expect(pages).toEqual(locations.map(() => 410));
    const t2 = await awaitAnswers(api, accepted2, { timeoutMs: 60_000, settleMs: 1500 });
    report('(f) v2.0 parked requests #2, clock jump', accepted2.length, t2, { opened: 5, neverOpened: 5 });
    expectExactlyOnce(t2, ['EDM:ERR:0005']);
  }, 180_000);
});

function diffStats(a: object, b: object): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(b)) {
    const before = (a as Record<string, unknown>)[k];
    if (typeof v === 'number' && typeof before === 'number' && v !== before) out[k] = v - before;
  }
  return out;
}
