/**
 * `npm run bench:load`: sustained load through the REST intake for a set time, with one and with
 * two worker processes, XML and PDF evidence. Topology per configuration: one `api` process
 * (intake only), one more api process that only hosts the connector stand-in the workers deliver
 * to (in production the connector is another machine), N `worker` processes, the DAGR sandbox in
 * this process, all on one Redis. Load is closed-loop: at most BENCH_LOAD_IN_FLIGHT requests
 * accepted and not yet answered.
 *
 * Prints per configuration: answers/s, accept latency (POST → 202) p50/p95/p99, accept → outbound
 * latency (POST → the answer recorded by the stand-in) p50/p95/p99, and RSS over time of every
 * process (/proc/<pid>/status); at the end BullMQ's bare no-op job rate on the same Redis, and the
 * XML throughput as a share of it. Asserts nothing; the figures go to docs/reliability.md.
 *
 *   BENCH_LOAD_SECONDS    seconds of load per configuration (default 60)
 *   BENCH_LOAD_CONFIGS    comma-separated workers:format (default 1:xml,1:pdf,2:xml,2:pdf,2:floor);
 *                         format `floor` runs the same processes and hops doing none of the
 *                         adapter's work (bench/floor-process.ts): what this machine allows at best
 *   BENCH_LOAD_IN_FLIGHT  most requests in flight (default 64)
 *   BENCH_LOAD_RATE       requests per second to offer (open loop, still capped by IN_FLIGHT);
 *                         unset = as fast as answers come back. A rate below capacity shows the
 *                         accept latency of an intake that is not competing for CPU.
 *   BENCH_REDIS_URL       Redis (default redis://127.0.0.1:6379); keys under a random prefix, removed after
 *   BENCH_RSS_EVERY       seconds between printed RSS samples (default 10)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { bullmqNoopRate } from './bullmq-noop.js';
import { startEmbeddedDagrSandbox } from '../src/sandbox/dagr-embedded.js';
import { startAdapter, startNodeProcess, type AdapterProcess } from '../test/support/processes.js';
import {
  cpuSeconds,
  deleteKeysAt,
  envelopeOf,
  evidenceRequests,
  rssBytes,
  sleep,
  stressEnv,
} from '../test/support/stress-harness.js';

const REDIS = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? '60');
const IN_FLIGHT = Number(process.env.BENCH_LOAD_IN_FLIGHT ?? '64');
const RATE = process.env.BENCH_LOAD_RATE === undefined ? undefined : Number(process.env.BENCH_LOAD_RATE);
const RSS_EVERY = Number(process.env.BENCH_RSS_EVERY ?? '10');
const CONFIGS = (process.env.BENCH_LOAD_CONFIGS ?? '1:xml,1:pdf,2:xml,2:pdf,2:floor').split(',').map((c) => {
  const [w, f] = c.split(':');
  if (!/^\d+$/.test(w ?? '') || (f !== 'xml' && f !== 'pdf' && f !== 'floor'))
    throw new Error(`BENCH_LOAD_CONFIGS: bad entry ${c}`);
  return { workers: Number(w), format: f };
});

/** `OutboxSummary.conversationId` in the stand-in's JSON entries (uuids: no escaping). */
const CONVERSATION = /"conversationId":"([^"]+)"/;

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const pct = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const mib = (b: number | undefined): string => (b === undefined ? '—' : (b / 1048576).toFixed(0));

/**
 * The generator's requests: bare node:http on kept-alive sockets. Global fetch cost the generator
 * 0.86–0.91 ms of CPU per answer against 0.49–0.56 (2 workers, XML, same hour), CPU the processes
 * under test lost on a 2-core machine.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
const post = (url: string, token: string, body: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });

interface RunResult {
  readonly answered: number;
  /** Accepted and not seen in the outbox by the end of the drain (120 s after the window). */
  readonly unanswered: number;
  readonly rate: number;
  readonly accept: number[];
  /** The api's own time per accepted request (its request log line: handler start → 202 written). */
  readonly acceptServer: number[];
  readonly e2e: number[];
  readonly rss: Map<string, { t: number; bytes: number }[]>;
  readonly errors: Record<string, number>;
  /** CPU seconds each process (and this load generator, `bench`) used during the load window. */
  readonly cpu: Record<string, number>;
  /** Answers recorded within the load window. */
  readonly answeredInWindow: number;
}

async function sustained(
  api: string,
  token: string,
  outboxKey: string,
  redis: Redis,
  templates: readonly string[],
  processes: Record<string, AdapterProcess>,
  others: Record<string, number>,
): Promise<RunResult> {
  const sentAt = new Map<string, number>();
  const acceptedAt = new Map<string, number>();
  const doneAt = new Map<string, number>();
  const accept: number[] = [];
  const errors: Record<string, number> = {};
  const rss = new Map<string, { t: number; bytes: number }[]>(Object.keys(processes).map((k) => [k, []]));
  const t0 = performance.now();
  const end = t0 + SECONDS * 1000;
  let inFlight = 0;
  let i = 0;
  let stop = false;

  let nextSlot = t0;
  const poster = async (): Promise<void> => {
    while (!stop && performance.now() < end) {
      if (RATE !== undefined) {
        // Open loop: each send takes the next slot of a fixed schedule.
        const slot = nextSlot;
        nextSlot += 1000 / RATE;
        const wait = slot - performance.now();
        if (wait > 0) await sleep(wait);
        if (performance.now() >= end) break;
      }
      if (inFlight >= IN_FLIGHT) {
        await sleep(2);
        continue;
      }
      inFlight++;
      const envelope = envelopeOf(templates[i++ % templates.length]!);
      const id = envelope.userMessage.conversationId;
      const start = performance.now();
      sentAt.set(id, start);
      try {
        const status = await post(`${api}/connector/messages`, token, JSON.stringify(envelope));
        if (status === 202) {
          accept.push(performance.now() - start);
          acceptedAt.set(id, start);
        } else {
          errors[`HTTP ${status}`] = (errors[`HTTP ${status}`] ?? 0) + 1;
          sentAt.delete(id);
          inFlight--;
        }
      } catch (error) {
        const k = error instanceof Error ? error.name : 'error';
        errors[k] = (errors[k] ?? 0) + 1;
        sentAt.delete(id);
        inFlight--;
      }
    }
  };

  // The stand-in's outbox, read straight from Redis (newest first): no more answers can arrive
  // between two reads than there are requests in flight, so the newest `inFlight` entries are
  // enough. Only the conversation id is read from each entry (a full JSON.parse of every entry
  // would cost the generator a noticeable share of a core).
  const watcher = async (): Promise<void> => {
    const drainUntil = end + 120_000;
    while (performance.now() < drainUntil) {
      const raw = await redis.lrange(outboxKey, 0, Math.max(inFlight, 1) + 8);
      const now = performance.now();
      for (const s of raw) {
        const conversationId = CONVERSATION.exec(s)?.[1];
        // Sent, not accepted: a fast answer can reach the outbox before this process has read its
        // 202, and may have left the read window by the next read.
        if (conversationId !== undefined && sentAt.has(conversationId) && !doneAt.has(conversationId)) {
          doneAt.set(conversationId, now);
          inFlight--;
        }
      }
      if (now > end && doneAt.size >= acceptedAt.size) return;
      await sleep(20);
    }
  };

  const acceptServer: number[] = [];
  const drainLogs = (): void => {
    for (const [name, p] of Object.entries(processes)) {
      if (name === 'api')
        for (const l of p.logs) {
          const h = l.http as { route?: string; status?: number; ms?: number } | undefined;
          if (h?.route === '/connector/messages' && h.status === 202 && typeof h.ms === 'number')
            acceptServer.push(h.ms);
        }
      // The harness keeps every log line; drop them so this process does not grow.
      p.logs.length = 0;
      p.raw.length = 0;
    }
  };
  drainLogs(); // the warm-up's lines
  const sampler = async (): Promise<void> => {
    while (!stop) {
      const t = (performance.now() - t0) / 1000;
      for (const [name, p] of Object.entries(processes)) {
        const bytes = rssBytes(p.child.pid);
        if (bytes !== undefined) rss.get(name)!.push({ t, bytes });
      }
      drainLogs();
      await sleep(1000);
    }
    drainLogs();
  };

  const cpuAt = (): Record<string, number> => {
    const out: Record<string, number> = { bench: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6 };
    for (const [name, p] of Object.entries(processes)) out[name] = cpuSeconds(p.child.pid) ?? NaN;
    for (const [name, pid] of Object.entries(others)) out[name] = cpuSeconds(pid) ?? NaN;
    return out;
  };
  const cpuStart = cpuAt();
  let cpuEnd: Record<string, number> = cpuStart;
  const windowEnd = sleep(SECONDS * 1000).then(() => {
    cpuEnd = cpuAt();
  });
  const sampling = sampler();
  await Promise.all([...Array.from({ length: 16 }, poster), watcher(), windowEnd]);
  stop = true;
  await sampling;
  const answeredInWindow = [...doneAt.values()].filter((t) => t <= end).length;
  const e2e = [...doneAt].map(([id, t]) => t - sentAt.get(id)!).sort((a, b) => a - b);
  accept.sort((a, b) => a - b);
  const cpu = Object.fromEntries(Object.keys(cpuStart).map((k) => [k, cpuEnd[k]! - cpuStart[k]!]));
  acceptServer.sort((a, b) => a - b);
  return {
    answered: doneAt.size,
    unanswered: [...acceptedAt.keys()].filter((id) => !doneAt.has(id)).length,
    rate: answeredInWindow / SECONDS,
    accept,
    acceptServer,
    e2e,
    rss,
    errors,
    cpu,
    answeredInWindow,
  };
}

function printRss(rss: RunResult['rss']): void {
  for (const [name, series] of rss) {
    if (series.length === 0) continue;
    const picks = series.filter((_s, k) => k % RSS_EVERY === 0 || k === series.length - 1);
    const max = Math.max(...series.map((s) => s.bytes));
    out(
      `    RSS ${name.padEnd(8)} MiB at ${picks.map((s) => `${s.t.toFixed(0)}s:${mib(s.bytes)}`).join(' ')} (max ${mib(max)})`,
    );
    if (series.length >= 120) {
      // Flatness: mean of the first and the last minute.
      const mean = (xs: { bytes: number }[]): number => xs.reduce((a, s) => a + s.bytes, 0) / xs.length;
      const first = mean(series.slice(0, 60));
      const last = mean(series.slice(-60));
      out(
        `    RSS ${name.padEnd(8)} first minute ${mib(first)} MiB, last minute ${mib(last)} MiB (${(((last - first) / first) * 100).toFixed(1)} %)`,
      );
      if (series.length >= 180) {
        // The first minute includes the warm-up (heap and wasm memory growing to their working size).
        const second = mean(series.slice(60, 120));
        out(
          `    RSS ${name.padEnd(8)} second minute ${mib(second)} MiB, last minute ${mib(last)} MiB (${(((last - second) / second) * 100).toFixed(1)} %)`,
        );
      }
    }
  }
}

async function main(): Promise<void> {
  const prefix = `{bench-load-${randomBytes(3).toString('hex')}}`;
  const token = randomBytes(16).toString('hex');
  const key = randomBytes(32).toString('base64');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'oots-bench-load-'));
  const keyFile = path.join(dataDir, 'dagr-sandbox-client.pem');
  const dagr = await startEmbeddedDagrSandbox({
    host: '127.0.0.1',
    port: 0,
    clientId: 'oots-adapter-sandbox',
    keyFile,
  });
  const dagrStub = await startDagrStub();
  const redis = new Redis(REDIS);
  const redisPid = await localRedisPid(redis);
  const { pdf, xml } = evidenceRequests();
  const rates: Record<string, number> = {};
  out(
    `Sustained load: ${SECONDS} s per configuration, ${RATE === undefined ? 'closed loop' : `${RATE} requests/s offered`}, at most ${IN_FLIGHT} requests in flight, Redis ${REDIS}, ${process.env.WORKER_CONCURRENCY ?? '16'} jobs per worker process`,
  );
  try {
    let current: Topology | undefined;
    for (const cfg of CONFIGS) {
      const kind = cfg.format === 'floor' ? 'floor' : 'adapter';
      if (current?.workers !== cfg.workers || current.kind !== kind) {
        if (current !== undefined) await current.stop();
        const env = {
          ...stressEnv({ redisUrl: REDIS, prefix: `${prefix}-${cfg.workers}w-${kind}`, token, key, dataDir }),
          ...(process.env.WORKER_CONCURRENCY === undefined
            ? {}
            : { WORKER_CONCURRENCY: process.env.WORKER_CONCURRENCY }),
        };
        current =
          kind === 'floor'
            ? await startFloor(cfg.workers, env, dagrStub.url)
            : await startAdapters(cfg.workers, env, dagr.url, keyFile);
      }
      const processes: Record<string, AdapterProcess> = { api: current.api, connector: current.connector };
      current.ws.forEach((w, k) => (processes[`worker${k + 1}`] = w));
      const templates = cfg.format === 'pdf' ? pdf : xml;
      // Warm-up: JIT, PDF fonts, DAGR token.
      await sustainedWarmup(current.api.ready.api!, token, templates);
      const r = await sustained(
        current.api.ready.api!,
        token,
        `${current.env.QUEUE_PREFIX}:standin:outbox`,
        redis,
        templates,
        processes,
        redisPid === undefined ? {} : { redis: redisPid },
      );
      rates[`${cfg.workers}:${cfg.format}`] = r.rate;
      out(
        `\n  ${cfg.workers} worker process${cfg.workers > 1 ? 'es' : ''}, ${cfg.format === 'floor' ? 'topology floor (no work)' : `${cfg.format.toUpperCase()} evidence`}: ${r.rate.toFixed(1)} answers/s (${r.answered} answered, ${r.unanswered} accepted and unanswered, errors ${JSON.stringify(r.errors)})`,
      );
      out(
        `    accept p50 ${pct(r.accept, 50).toFixed(1)} ms, p95 ${pct(r.accept, 95).toFixed(1)} ms, p99 ${pct(r.accept, 99).toFixed(1)} ms (seen by the generator)`,
      );
      if (r.acceptServer.length > 0)
        out(
          `    accept in the api p50 ${pct(r.acceptServer, 50).toFixed(1)} ms, p95 ${pct(r.acceptServer, 95).toFixed(1)} ms, p99 ${pct(r.acceptServer, 99).toFixed(1)} ms (${r.acceptServer.length} request log lines)`,
        );
      out(
        `    accept→outbound p50 ${pct(r.e2e, 50).toFixed(0)} ms, p95 ${pct(r.e2e, 95).toFixed(0)} ms, p99 ${pct(r.e2e, 99).toFixed(0)} ms`,
      );
      const perAnswer = (sec: number): string => ((sec * 1000) / Math.max(1, r.answeredInWindow)).toFixed(2);
      out(
        `    CPU during the window: ${Object.entries(r.cpu)
          .map(([k, sec]) => `${k} ${((sec / SECONDS) * 100).toFixed(0)} % (${perAnswer(sec)} ms/answer)`)
          .join(', ')}`,
      );
      printRss(r.rss);
    }
    if (current !== undefined) await current.stop();
    const noop = await bullmqNoopRate(REDIS, `${prefix}-noop`, 20_000, { kind: 'bulk' });
    const concurrency = Number(process.env.WORKER_CONCURRENCY ?? '16');
    const noopSingle = await bullmqNoopRate(REDIS, `${prefix}-noop`, 20_000, { kind: 'single', concurrency });
    out(
      `\n  BullMQ bare no-op jobs on the same Redis (added in bulks of 500, one worker, concurrency 50): ${noop.toFixed(0)} jobs/s`,
    );
    out(
      `  BullMQ bare no-op jobs added one at a time by 16 producers, one worker, concurrency ${concurrency} (the adapter's shape): ${noopSingle.toFixed(0)} jobs/s`,
    );
    for (const [cfg, rate] of Object.entries(rates)) {
      const [w, format] = cfg.split(':');
      if (format === 'pdf') continue;
      const what = format === 'floor' ? 'Topology floor (no work)' : 'XML evidence';
      out(
        `  ${what} with ${w} worker(s): ${((rate / noop) * 100).toFixed(1)} % of the bulk no-op rate, ${((rate / noopSingle) * 100).toFixed(1)} % of the one-at-a-time rate`,
      );
    }
  } finally {
    await dagr.stop();
    await dagrStub.stop();
    agent.destroy();
    await redis.quit();
    for (const p of [
      ...new Set(CONFIGS.map((c) => `${prefix}-${c.workers}w-${c.format === 'floor' ? 'floor' : 'adapter'}`)),
      `${prefix}-noop`,
      prefix,
    ])
      await deleteKeysAt(REDIS, p);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The Redis server's pid when it runs on this host (its CPU is part of every answer's cost). */
async function localRedisPid(redis: Redis): Promise<number | undefined> {
  const pid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);
  return Number.isInteger(pid) &&
    cpuSeconds(pid) !== undefined &&
    /^(127\.|localhost|\[::1\])/.test(new URL(REDIS).hostname)
    ? pid
    : undefined;
}

interface Topology {
  readonly kind: 'adapter' | 'floor';
  readonly workers: number;
  readonly env: Record<string, string>;
  readonly api: AdapterProcess;
  readonly connector: AdapterProcess;
  readonly ws: AdapterProcess[];
  stop(): Promise<void>;
}

const stopAll = async (t: Pick<Topology, 'api' | 'connector' | 'ws'>): Promise<void> => {
  await Promise.all(t.ws.map((w) => w.stop()));
  await t.api.stop();
  await t.connector.stop();
};

async function startAdapters(
  workers: number,
  env: Record<string, string>,
  dagrUrl: string,
  keyFile: string,
): Promise<Topology> {
  // The connector stand-in in a process of its own (an api process whose only client is the
  // workers' delivery): in production the connector is another machine, so the api's CPU
  // figure should be intake alone. (Accept latency was the same either way.)
  const connector = await startAdapter(env, ['--role', 'api']);
  const outbound = `${connector.ready.api!}/sandbox/connector/inbox`;
  const api = await startAdapter({ ...env, CONNECTOR_OUTBOUND_URL: outbound }, ['--role', 'api']);
  const ws = await Promise.all(
    Array.from({ length: workers }, () =>
      startAdapter(
        { ...env, DAGR_BASE_URL: dagrUrl, DAGR_PRIVATE_KEY_FILE: keyFile, CONNECTOR_OUTBOUND_URL: outbound },
        ['--role', 'worker'],
      ),
    ),
  );
  const t = { kind: 'adapter' as const, workers, env, api, connector, ws };
  return { ...t, stop: () => stopAll(t) };
}

/** The same processes and hops doing none of the adapter's work (bench/floor-process.ts). */
async function startFloor(workers: number, env: Record<string, string>, dagrUrl: string): Promise<Topology> {
  const floor = (role: string, extra: Record<string, string> = {}): Promise<AdapterProcess> =>
    startNodeProcess(['--import', 'tsx', 'bench/floor-process.ts', role], { ...env, ...extra });
  const connector = await floor('connector');
  const api = await floor('api');
  const ws = await Promise.all(
    Array.from({ length: workers }, () =>
      floor('worker', { DAGR_BASE_URL: dagrUrl, CONNECTOR_OUTBOUND_URL: connector.ready.api! }),
    ),
  );
  const t = { kind: 'floor' as const, workers, env, api, connector, ws };
  return { ...t, stop: () => stopAll(t) };
}

/**
 * The floor's DAGR: one fixed record of about the sandbox's size, from a bare server in this
 * process (where the DAGR sandbox runs for the adapter).
 */
async function startDagrStub(): Promise<{ url: string; stop(): Promise<void> }> {
  const record = JSON.stringify({
    records: [
      {
        personCode: '000000-00000',
        givenName: 'Synthetic',
        familyName: 'Person',
        born: '1990-01-01',
        note: 'x'.repeat(300),
      },
    ],
  });
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(record);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${a.port}/record`,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function sustainedWarmup(api: string, token: string, templates: readonly string[]): Promise<void> {
  await Promise.all(
    Array.from({ length: 20 }, (_v, k) =>
      post(`${api}/connector/messages`, token, JSON.stringify(envelopeOf(templates[k % templates.length]!))),
    ),
  );
  await sleep(3000);
}

await main();
