/**
 * Whole-pipeline benchmark (issue: the evidence pipeline): the adapter runs as a real child
 * process (role all, embedded DAGR sandbox and connector stand-in, the machine's Redis); this
 * process posts requests as the connector does and watches the stand-in's outbox. Prints
 * throughput, accept latency (POST → 202) and accept → outbound latency, next to BullMQ's bare
 * no-op job rate on the same Redis as the ceiling.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { bullmqNoopRate } from './bullmq-noop.js';
import { envelopeFor } from '../src/cli/send.js';
import type { OutboxSummary } from '../src/sandbox/connector-standin.js';
import { deleteKeys } from '../test/support/connector-fixtures.js';
import { startAdapter } from '../test/support/processes.js';

const REDIS = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function run(api: string, token: string, template: string, count: number, concurrency: number) {
  const accept: number[] = [];
  const sentAt = new Map<string, number>();
  const doneAt = new Map<string, number>();
  let next = 0;
  const t0 = performance.now();
  const poster = async (): Promise<void> => {
    while (next < count) {
      next++;
      const xml = template.replace(/(<query:QueryRequest\b[^>]*\bid=")urn:uuid:[^"]+"/, `$1urn:uuid:${randomUUID()}"`);
      const envelope = envelopeFor(Buffer.from(xml, 'utf8'));
      const start = performance.now();
      sentAt.set(envelope.userMessage.conversationId, start);
      const res = await fetch(`${api}/connector/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(envelope),
      });
      await res.arrayBuffer();
      if (res.status !== 202) throw new Error(`intake answered ${res.status}`);
      accept.push(performance.now() - start);
    }
  };
  const watcher = async (): Promise<void> => {
    while (doneAt.size < count) {
      const res = await fetch(`${api}/sandbox/connector/outbox?limit=${count}`);
      const { messages } = (await res.json()) as { messages: OutboxSummary[] };
      const now = performance.now();
      for (const m of messages)
        if (sentAt.has(m.conversationId) && !doneAt.has(m.conversationId)) doneAt.set(m.conversationId, now);
      // Polled sparingly: each poll costs the adapter's own CPU (latency resolution ±250 ms).
      await new Promise((r) => setTimeout(r, 250));
      if (now - t0 > 300_000) throw new Error('benchmark did not finish in 5 minutes');
    }
  };
  await Promise.all([...Array.from({ length: concurrency }, poster), watcher()]);
  const elapsed = (Math.max(...doneAt.values()) - t0) / 1000;
  const e2e = [...doneAt].map(([id, t]) => t - sentAt.get(id)!).sort((a, b) => a - b);
  accept.sort((a, b) => a - b);
  return { rate: count / elapsed, accept, e2e };
}

export async function benchPipeline(): Promise<void> {
  const count = Math.min(900, Number(process.env.BENCH_REQUESTS ?? '400'));
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? '16');
  const prefix = `{bench-${randomBytes(3).toString('hex')}}`;
  const token = randomBytes(16).toString('hex');
  const adapter = await startAdapter({
    REDIS_URL: REDIS,
    QUEUE_PREFIX: prefix,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    CONNECTOR_INBOUND_TOKEN: token,
    HTTP_PORT: '0',
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'oots-bench-')),
    LOG_LEVEL: 'info',
    WORKER_CONCURRENCY: process.env.BENCH_WORKER_CONCURRENCY ?? '32',
  });
  const api = adapter.ready.api!;
  try {
    const pdf = readFileSync('examples/requests/lv-birth-certificate-pdf.xml', 'utf8');
    const xml = pdf.replace('<sdg:Format>application/pdf</sdg:Format>', '<sdg:Format>application/xml</sdg:Format>');
    console.log(
      `\nWhole pipeline: ${count} requests per format, ${concurrency} concurrent posters, adapter in one child process (role all)`,
    );
    for (const [name, template] of [
      ['XML evidence', xml],
      ['PDF evidence', pdf],
    ] as const) {
      await run(api, token, template, Math.min(50, count), concurrency); // warm-up
      const r = await run(api, token, template, count, concurrency);
      console.log(
        `  ${name}: ${r.rate.toFixed(0)} requests/s; accept p50 ${percentile(r.accept, 50).toFixed(1)} ms, p99 ${percentile(r.accept, 99).toFixed(1)} ms; ` +
          `accept→outbound p50 ${percentile(r.e2e, 50).toFixed(0)} ms, p99 ${percentile(r.e2e, 99).toFixed(0)} ms`,
      );
    }
    const noop = await bullmqNoopRate(REDIS, `${prefix}:noop`, 5000, { kind: 'bulk' });
    console.log(`  ceiling: BullMQ bare no-op jobs on the same Redis (concurrency 50): ${noop.toFixed(0)} jobs/s`);
  } finally {
    await adapter.stop();
    const redis = new Redis(REDIS);
    await deleteKeys(redis, prefix);
    await redis.quit();
  }
}
