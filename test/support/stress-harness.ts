/**
 * Shared pieces of the stress tier (test/stress) and the load benchmark (bench/load.ts): real
 * adapter processes around one Redis, requests posted as the REST connector posts them, answers
 * read back from the connector stand-in's outbox, and the bookkeeping that proves "exactly one
 * answer per accepted request".
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { envelopeFor } from '../../src/cli/send.js';
import type { RestEnvelope } from '../../src/connector/envelope.js';
import type { OutboxSummary } from '../../src/sandbox/connector-standin.js';

/** A unique, hash-tagged queue prefix (QUEUE_PREFIX: no colon allowed). */
export function stressPrefix(name: string): string {
  return `{stress-${name}-${randomBytes(4).toString('hex')}}`;
}

/** Deletes the keys under `prefix` on `url` (never FLUSHDB). */
export async function deleteKeysAt(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 3, lazyConnect: true });
  await redis.connect();
  let cursor = '0';
  let n = 0;
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  try {
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) n += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
  return n;
}

export const example = (name: string): string => readFileSync(path.join('examples/requests', `${name}.xml`), 'utf8');

/** A new QueryRequest id: otherwise the adapter rightly treats the request as a duplicate. */
export const fresh = (xml: string): string =>
  xml.replace(/(<query:QueryRequest\b[^>]*\bid=")urn:uuid:[^"]+"/, `$1urn:uuid:${randomUUID()}"`);

/** The shipped PDF example as an XML-evidence request. */
export const asXml = (xml: string): string =>
  xml.replace('<sdg:Format>application/pdf</sdg:Format>', '<sdg:Format>application/xml</sdg:Format>');

/** Requests that end in evidence with the sandbox data, PDF and XML. */
export function evidenceRequests(): { pdf: string[]; xml: string[] } {
  const pdf = [
    'lv-birth-certificate-pdf',
    'lv-declared-residence-pdf',
    'lv-company-register-extract-pdf',
    'lv-higher-education-diploma-pdf',
  ].map(example);
  return { pdf, xml: pdf.map(asXml) };
}

const shapes = new Map<string, RestEnvelope>();

/**
 * A fresh envelope (new MessageId, conversation, exchange and request id) for a request. The
 * request is parsed once per template (as `oots-adapter send` does), not per envelope: under load
 * the generator shares the machine's two cores with the adapter and should spend little of them.
 */
export function envelopeOf(xml: string): RestEnvelope {
  let shape = shapes.get(xml);
  if (shape === undefined) {
    shape = envelopeFor(Buffer.from(xml, 'utf8'));
    shapes.set(xml, shape);
  }
  const { userMessage, payloads } = shape;
  return {
    userMessage: {
      ...userMessage,
      messageId: `${randomUUID()}@cli.sender.invalid`,
      timestamp: new Date().toISOString(),
      conversationId: randomUUID(),
      properties: userMessage.properties.map((p) => (p.name === 'ExchangeId' ? { ...p, value: randomUUID() } : p)),
    },
    payloads: [
      {
        ...payloads[0]!,
        href: `cid:${randomUUID()}@cli.sender.invalid`,
        contentBase64: Buffer.from(fresh(xml), 'utf8').toString('base64'),
      },
    ],
  };
}

/** A mix of requests that end in evidence (PDF and XML), `n` of them, each a fresh conversation. */
export function workload(n: number): RestEnvelope[] {
  const { pdf, xml } = evidenceRequests();
  const all = [...pdf, ...xml];
  return Array.from({ length: n }, (_, i) => envelopeOf(all[i % all.length]!));
}

/** Small retry and backoff settings so that a fault window of a few seconds fits in the retries. */
export const QUICK_RETRIES: Readonly<Record<string, string>> = Object.freeze({
  PROCESS_BACKOFF_MS: '200',
  PROCESS_ATTEMPTS: '6',
  DELIVERY_BACKOFF_MAX_MS: '500',
  DAGR_RETRIES: '1',
  DAGR_TIMEOUT_MS: '1000',
  DAGR_BREAKER_FAILURES: '5',
  DAGR_BREAKER_RESET_MS: '500',
});

export interface PostResult {
  readonly status: number;
  /** Attempts made (more than one when the intake answered 503 or the socket failed). */
  readonly attempts: number;
  readonly ms: number;
}

/**
 * Posts an envelope to the REST intake. With `untilAccepted`, a connector's behaviour: 503 and
 * network errors are retried (same envelope, same MessageId) until 202 or the deadline.
 */
export async function postEnvelope(
  api: string,
  token: string,
  envelope: RestEnvelope | string,
  opts: { untilAccepted?: boolean; deadlineMs?: number } = {},
): Promise<PostResult> {
  const body = typeof envelope === 'string' ? envelope : JSON.stringify(envelope);
  const started = performance.now();
  const deadline = Date.now() + (opts.deadlineMs ?? 60_000);
  for (let attempts = 1; ; attempts++) {
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
    const retry = opts.untilAccepted === true && (status === 0 || status === 503) && Date.now() < deadline;
    if (!retry) return { status, attempts, ms: performance.now() - started };
    await sleep(200);
  }
}

/** Every summary the stand-in recorded (newest first), up to its 1000-entry window. */
export async function readOutbox(api: string): Promise<OutboxSummary[]> {
  const res = await fetch(`${api}/sandbox/connector/outbox?limit=1000`, { signal: AbortSignal.timeout(15_000) });
  if (!res.ok) throw new Error(`outbox: HTTP ${res.status}`);
  return ((await res.json()) as { messages: OutboxSummary[] }).messages;
}

export async function clearOutbox(api: string): Promise<void> {
  await fetch(`${api}/sandbox/connector/outbox`, { method: 'DELETE' });
}

export async function answerEnvelope(api: string, messageId: string): Promise<RestEnvelope> {
  const res = await fetch(`${api}/sandbox/connector/outbox/${encodeURIComponent(messageId)}`);
  return (await res.json()) as RestEnvelope;
}

export interface Tally {
  /** Accepted conversations without any answer. */
  readonly lost: string[];
  /** Conversations with more than one distinct answer (distinct AS4 MessageIds). */
  readonly duplicated: string[];
  /** Recordings of an answer beyond the first with the same MessageId (a re-delivery the connector dedupes). */
  readonly redeliveries: number;
  /** Answers to conversations nobody accepted (must be none). */
  readonly strays: string[];
  /** Outcome per accepted conversation: `Success`, or the EDM error code. */
  readonly outcomes: Map<string, string>;
}

/** Groups the outbox by conversation and judges it against the accepted conversations. */
export function tally(accepted: readonly string[], outbox: readonly OutboxSummary[]): Tally {
  const byConversation = new Map<string, OutboxSummary[]>();
  for (const m of outbox) byConversation.set(m.conversationId, [...(byConversation.get(m.conversationId) ?? []), m]);
  const want = new Set(accepted);
  const lost: string[] = [];
  const duplicated: string[] = [];
  const outcomes = new Map<string, string>();
  let redeliveries = 0;
  for (const id of want) {
    const answers = byConversation.get(id) ?? [];
    const distinct = new Set(answers.map((a) => a.messageId));
    redeliveries += answers.length - distinct.size;
    if (answers.length === 0) lost.push(id);
    if (distinct.size > 1) duplicated.push(id);
    const a = answers[0];
    if (a !== undefined) outcomes.set(id, a.errorCode ?? a.status ?? a.action);
  }
  const strays = [...byConversation.keys()].filter((id) => !want.has(id));
  return { lost, duplicated, redeliveries, strays, outcomes };
}

/**
 * Waits until every accepted conversation has an answer (or the timeout), then `settleMs` more
 * so that a late duplicate would show; returns the tally.
 */
export async function awaitAnswers(
  api: string,
  accepted: readonly string[],
  opts: { timeoutMs: number; settleMs?: number; pollMs?: number },
): Promise<Tally> {
  return awaitTally(() => readOutbox(api), accepted, opts);
}

/**
 * As `awaitAnswers`, over any record of sent answers (`read`): the REST stand-in's outbox, or the
 * Domibus stand-in's submissions turned into summaries.
 */
export async function awaitTally(
  read: () => Promise<readonly OutboxSummary[]> | readonly OutboxSummary[],
  accepted: readonly string[],
  opts: { timeoutMs: number; settleMs?: number; pollMs?: number },
): Promise<Tally> {
  const deadline = Date.now() + opts.timeoutMs;
  let t = tally(accepted, await read());
  while (t.lost.length > 0 && Date.now() < deadline) {
    await sleep(opts.pollMs ?? 500);
    t = tally(accepted, await read());
  }
  if (opts.settleMs !== undefined && opts.settleMs > 0) {
    await sleep(opts.settleMs);
    t = tally(accepted, await read());
  }
  return t;
}

/** Counts of each outcome (for reports). */
export function outcomeCounts(t: Tally): Record<string, number> {
  const out: Record<string, number> = {};
  for (const o of t.outcomes.values()) out[o] = (out[o] ?? 0) + 1;
  return out;
}

/** Resident set size of a process in bytes, from /proc (undefined when gone or not Linux). */
export function rssBytes(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? undefined : Number(m[1]) * 1024;
  } catch {
    return undefined;
  }
}

/**
 * CPU time (user + system) a process has used so far, in seconds, from /proc/<pid>/stat (Linux;
 * clock ticks of 1/100 s). Undefined when the process is gone or /proc is not there.
 */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state, the 3rd field.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs `task` for each item with at most `limit` in flight. */
export async function pool<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await task(items[i]!, i);
    }
  });
  await Promise.all(runners);
  return out;
}

/** The common environment of a stress adapter process on `redisUrl`. */
export function stressEnv(opts: {
  redisUrl: string;
  prefix: string;
  token: string;
  key: string;
  dataDir: string;
}): Record<string, string> {
  return {
    REDIS_URL: opts.redisUrl,
    QUEUE_PREFIX: opts.prefix,
    ENCRYPTION_KEY: opts.key,
    CONNECTOR_INBOUND_TOKEN: opts.token,
    HTTP_PORT: '0',
    DATA_DIR: opts.dataDir,
    LOG_LEVEL: 'info',
  };
}
