/**
 * Fail-over suite: the adapter (one `api` process, one `worker` process, as `oots-adapter start`
 * runs them) on real Redis topologies this suite starts itself from `redis-server`, on ports of
 * its own (test/support/redis-topology.ts):
 *
 *   Sentinel: master + replica + three sentinels; load through the REST intake; the master
 *   SIGKILLed mid-load, with the replica in sync or lagging (its replication stream held back for
 *   a second before the kill, so the writes of that second never reach it: see ReplicationLink);
 *   REDIS_DURABILITY `write` and `replica`.
 *   The old master comes back after the fail-over (the sentinels make it the new replica).
 *   Cluster: three masters, load, every request answered once; with AOF off the start-up check
 *   warns on each master (it runs once the topology is known).
 *
 * Answers are recorded by a connector stand-in in this process (outside the Redis that fails).
 * Each scenario prints: accepted / answered / answered twice (distinct MessageIds) / same-MessageId
 * re-deliveries (absorbed by the access point) / lost / seconds of refused intake.
 *
 * CI runs the short version (one lagging-replica fail-over in `replica` mode, a small Cluster run);
 * FAILOVER_LONG=1 runs every combination with more load (figures in docs/reliability.md).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import type { RestEnvelope } from '../../src/connector/envelope.js';
import type { OutboxSummary } from '../../src/sandbox/connector-standin.js';
import { startEmbeddedDagrSandbox, type EmbeddedDagr } from '../../src/sandbox/dagr-embedded.js';
import { startAdapter, type AdapterProcess } from '../support/processes.js';
import {
  startCluster,
  startRedisNode,
  startSentinelSet,
  type RedisNode,
  type SentinelSet,
} from '../support/redis-topology.js';
import {
  awaitTally,
  pool,
  QUICK_RETRIES,
  sleep,
  stressEnv,
  stressPrefix,
  type Tally,
  workload,
} from '../support/stress-harness.js';

// Reads the environment of the test run (not the adapter's configuration).
const LONG = process.env.FAILOVER_LONG === '1';
const token = randomBytes(16).toString('hex');
const key = randomBytes(32).toString('base64');
const dataDir = mkdtempSync(path.join(tmpdir(), 'oots-failover-'));
const keyFile = path.join(dataDir, 'dagr-sandbox-client.pem');
let dagr: EmbeddedDagr;
let recorder: { url: string; server: Server; answers: OutboxSummary[] };

beforeAll(async () => {
  dagr = await startEmbeddedDagrSandbox({ host: '127.0.0.1', port: 0, clientId: 'oots-adapter-sandbox', keyFile });
  const answers: OutboxSummary[] = [];
  const app = express();
  app.post('/inbox', express.json({ limit: '50mb' }), (req, res) => {
    const e = req.body as RestEnvelope;
    answers.push({
      conversationId: e.userMessage.conversationId,
      messageId: e.userMessage.messageId,
      action: e.userMessage.action,
    } as OutboxSummary);
    res.status(202).json({ status: 'accepted' });
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  recorder = {
    url: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/inbox`,
    server,
    answers,
  };
}, 30_000);

afterAll(async () => {
  await dagr?.stop();
  recorder?.server.closeAllConnections();
  await new Promise<void>((resolve) => (recorder === undefined ? resolve() : recorder.server.close(() => resolve())));
  rmSync(dataDir, { recursive: true, force: true });
});

async function startAdapters(redisUrl: string, durability: string): Promise<AdapterProcess[]> {
  const env = {
    ...stressEnv({ redisUrl, prefix: stressPrefix('failover'), token, key, dataDir }),
    ...QUICK_RETRIES,
    REDIS_DURABILITY: durability,
    // Jobs held by a worker when its master died come back quickly.
    JOB_LOCK_MS: '5000',
    WORKER_CONCURRENCY: '8',
    // A job lost with the old master is replaced by the sweeps well inside the wait for answers
    // (by default after 30 s and 60 s plus an interval, close to that wait under a loaded CI).
    CONNECTOR_OUTBOUND_TIMEOUT_MS: '5000',
    RECOVERY_SWEEP_GRACE_MS: '10000',
    RECOVERY_SWEEP_INTERVAL_MS: '2000',
    DELIVERY_SWEEP_GRACE_MS: '10000',
    DELIVERY_SWEEP_INTERVAL_MS: '2000',
  };
  const api = await startAdapter(env, ['--role', 'api']);
  const worker = await startAdapter(
    {
      ...env,
      DAGR_BASE_URL: dagr.url,
      DAGR_CLIENT_ID: 'oots-adapter-sandbox',
      DAGR_PRIVATE_KEY_FILE: keyFile,
      CONNECTOR_OUTBOUND_URL: recorder.url,
    },
    ['--role', 'worker'],
  );
  return [api, worker];
}

interface Load {
  readonly accepted: string[];
  /** Seconds from the first refused (503 or broken) intake attempt to the last. */
  readonly refusedSeconds: number;
  readonly refusedAttempts: number;
}

/** Posts like a connector: request i at i × paceMs, each retried (same envelope) until 202. */
async function load(api: string, envelopes: readonly RestEnvelope[], paceMs: number): Promise<Load> {
  const start = Date.now();
  const refusals: number[] = [];
  const results = await pool(envelopes, 8, async (e, i) => {
    const due = start + i * paceMs - Date.now();
    if (due > 0) await sleep(due);
    const body = JSON.stringify(e);
    const deadline = Date.now() + 90_000;
    for (;;) {
      let status: number;
      try {
        const res = await fetch(`${api}/connector/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body,
          signal: AbortSignal.timeout(15_000),
        });
        status = res.status;
        await res.arrayBuffer();
      } catch {
        status = 0;
      }
      if (status === 202) return true;
      refusals.push(Date.now());
      if (Date.now() > deadline) return false;
      await sleep(200);
    }
  });
  const accepted = envelopes.filter((_e, i) => results[i]).map((e) => e.userMessage.conversationId);
  const refusedSeconds = refusals.length === 0 ? 0 : (Math.max(...refusals) - Math.min(...refusals)) / 1000;
  return { accepted, refusedSeconds, refusedAttempts: refusals.length };
}

function report(name: string, l: Load, t: Tally, extra: Record<string, unknown> = {}): void {
  const answered = l.accepted.length - t.lost.length;
  process.stdout.write(
    `failover scenario ${name}: accepted ${l.accepted.length}, answered ${answered}, answered twice ${t.duplicated.length}, ` +
      `same-MessageId re-deliveries ${t.redeliveries}, lost ${t.lost.length}, strays ${t.strays.length}, ` +
      `seconds of refused intake ${l.refusedSeconds.toFixed(1)} (${l.refusedAttempts} refused attempts) ${JSON.stringify(extra)}\n`,
  );
}

async function sentinelScenario(mode: 'write' | 'replica', lagging: boolean, n: number, paceMs: number): Promise<void> {
  const dir = path.join(dataDir, `sentinel-${mode}-${lagging ? 'lag' : 'sync'}`);
  let set: SentinelSet | undefined;
  let returned: RedisNode | undefined;
  let procs: AdapterProcess[] = [];
  try {
    set = await startSentinelSet(dir);
    const s = set;
    procs = await startAdapters(s.url, mode);
    const api = procs[0]!.ready.api!;
    const before = recorder.answers.length;
    let failoverSeconds = 0;
    const chaos = (async () => {
      await sleep((n * paceMs) / 3);
      // Lagging: the replication stream is held back for a second, then lost with the master.
      // The worker is paused over that second too (a backlog): what intake accepts then is not
      // answered before the master dies, so the window shows.
      const worker = procs[1]!.child;
      if (lagging) {
        s.link.hold();
        worker.kill('SIGSTOP');
        await sleep(1000);
      }
      const killedAt = Date.now();
      s.master.kill('SIGKILL');
      s.link.cut();
      if (lagging) worker.kill('SIGCONT');
      while ((await s.masterPort()) === s.master.port) await sleep(200);
      failoverSeconds = (Date.now() - killedAt) / 1000;
      // The old master returns; the sentinels make it the new master's replica.
      returned = await startRedisNode(
        path.join(dir, 'master'),
        ['--appendonly', 'yes', '--maxmemory-policy', 'noeviction'],
        s.master.port,
      );
    })();
    const l = await load(api, workload(n), paceMs);
    await chaos;
    // In `write` mode a lagging replica loses requests for good: wait less for answers that cannot come.
    const timeoutMs = mode === 'write' && lagging ? 30_000 : 90_000;
    const t = await awaitTally(() => recorder.answers.slice(before), l.accepted, { timeoutMs, settleMs: 3000 });
    report(`Sentinel, REDIS_DURABILITY=${mode}, replica ${lagging ? 'lagging 1 s' : 'in sync'}`, l, t, {
      failoverSeconds,
    });
    expect(t.strays).toEqual([]);
    // Re-runs send the same MessageId: never two different answers to one request.
    expect(t.duplicated).toEqual([]);
    if (mode === 'replica') expect(t.lost).toEqual([]);
    for (const p of procs) expect(p.child.exitCode).toBeNull();
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    set?.stop();
    returned?.kill('SIGKILL');
  }
}

const SENTINEL_RUNS: ['write' | 'replica', boolean][] = LONG
  ? [
      ['write', false],
      ['write', true],
      ['replica', false],
      ['replica', true],
    ]
  : [['replica', true]];

describe('Redis Sentinel fail-over under load', () => {
  test.each(SENTINEL_RUNS)(
    'REDIS_DURABILITY=%s, replica lagging %s: never two different answers to one request',
    async (mode, lagging) => {
      await sentinelScenario(mode, lagging, LONG ? 200 : 50, LONG ? 75 : 100);
    },
    LONG ? 300_000 : 150_000,
  );
});

describe('Redis Cluster, three masters', () => {
  test('every request answered once; with AOF off the start-up check warns for each master', async () => {
    const cluster = await startCluster(path.join(dataDir, 'cluster'), { appendonly: false });
    let procs: AdapterProcess[] = [];
    try {
      procs = await startAdapters(cluster.url, 'write');
      const warned = procs[0]!.logs.filter((e) => e.msg === 'Redis is not configured as BullMQ requires in production');
      for (const node of cluster.nodes)
        expect(warned.map((e) => String(e.redis))).toContainEqual(
          expect.stringMatching(new RegExp(`AOF is off on 127\\.0\\.0\\.1:${node.port}`)),
        );
      const before = recorder.answers.length;
      const l = await load(procs[0]!.ready.api!, workload(LONG ? 200 : 30), 20);
      const t = await awaitTally(() => recorder.answers.slice(before), l.accepted, {
        timeoutMs: 60_000,
        settleMs: 2000,
      });
      report('Cluster, three masters, REDIS_DURABILITY=write', l, t);
      expect(t.lost).toEqual([]);
      expect(t.duplicated).toEqual([]);
    } finally {
      await Promise.all(procs.map((p) => p.stop()));
      cluster.stop();
    }
  }, 150_000);
});
