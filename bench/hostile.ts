/**
 * Adversarial XML shapes at the intake's size limit (XML_MAX_BYTES) against the bare parse of the
 * official birth request, per byte (`npm run bench -- hostile`). Prints, per shape, the time of our
 * bare parse (bytes → tree, refused or not) and of the full judgement of `/edm/validate` (parse,
 * XSD, rules), the cost per byte as a multiple of the birth request's, and the process RSS above
 * its idle value after the shape. Goal (issue 15): none above 20× per byte, RSS within 100 MB of idle.
 * First the same shapes go through the parse threads as the adapter runs them (time limit, event
 * loop delay meanwhile, RSS during and after the threads went idle), while this process is still
 * small; then in-process, where libxml2's WebAssembly memory only grows. Last, a real adapter
 * process (from dist under `npm run bench`; Redis on 127.0.0.1:6379, own key prefix) takes the
 * namespace document at 240 KB and the shapes at the size limit on `/edm/validate` while `/healthz`
 * is asked in a loop: its answers, the adapter's RSS over its idle value during and after.
 * Asserts nothing.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { validateMessage } from '../src/edm/validate.js';
import { DEFAULT_XML_LIMITS, parseXml, type XmlLimits } from '../src/edm/xml/parse.js';
import { loadEdmXsdValidator } from '../src/resources/edm-xsd.js';
import { createParsePool } from '../src/parse-threads/pool.js';
import { hostileDocument, namespaceFlood, type HostileShape } from '../test/support/hostile-xml.js';
import { measure } from './measure.js';
import { startAdapter } from '../test/support/processes.js';
import { deleteKeysAt, rssBytes, stressEnv, stressPrefix } from '../test/support/stress-harness.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

const SAMPLE = path.resolve(
  '..',
  'shared/oots-edm/v1.0/samples/evidence-exchange/2 Example for requesting a Birth Certificate - natural person/2.1 Step 1  Evidence Request - Birth - full example.xml',
);
const SHAPES: readonly HostileShape[] = ['namespaces', 'attributes', 'long-names', 'deep', 'many-elements', 'text-and-comments', 'stray-children'];

const mb = (n: number): string => `${(n / 1048576).toFixed(0).padStart(4)} MB`;

/** Median wall time of `op` over `rounds` runs, in ms, and what the last run said. */
function timed(op: () => string, rounds = 3): { ms: number; outcome: string } {
  const times: number[] = [];
  let outcome = '';
  for (let i = 0; i < rounds; i++) {
    const t0 = process.hrtime.bigint();
    outcome = op();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)]!, outcome };
}

function outcomeOf(run: () => unknown): string {
  try {
    const r = run() as { valid?: boolean; errors?: readonly unknown[] } | undefined;
    return r !== undefined && typeof r.valid === 'boolean' ? `judged, ${r.errors?.length ?? 0} errors` : 'parsed';
  } catch (e) {
    return `refused: ${(e as Error).message.slice(0, 60)}`;
  }
}

/** The shapes through the parse threads, as `/edm/validate` runs them in the adapter. */
async function throughThreads(birth: Uint8Array, docs: readonly (readonly [string, Uint8Array])[]): Promise<void> {
  const idleMs = 2000;
  const pool = createParsePool({ threads: 2, timeLimitMs: 2000, maxHeapMb: 256, limits: DEFAULT_XML_LIMITS, idleMs });
  global.gc?.();
  const idle = process.memoryUsage().rss;
  console.log(`\nThrough the parse threads (2 threads, 2000 ms per document, default limits); idle RSS ${mb(idle)}`);
  const t0 = process.hrtime.bigint();
  await pool.validate(birth);
  console.log(`  first document (thread start, XSD compiled in the thread): ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(0)} ms`);
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  let peak = idle;
  for (const [name, doc] of docs) {
    const t = process.hrtime.bigint();
    let outcome: string;
    try {
      const r = await pool.validate(doc);
      outcome = `judged, ${r.errors.length} errors`;
    } catch (e) {
      outcome = `refused: ${(e as Error).message.slice(0, 60)}`;
    }
    const rss = process.memoryUsage().rss;
    peak = Math.max(peak, rss);
    console.log(`  ${name.padEnd(26)} ${(Number(process.hrtime.bigint() - t) / 1e6).toFixed(0).padStart(5)} ms  RSS +${mb(rss - idle)}  ${outcome}`);
  }
  loop.disable();
  console.log(`  event loop delay meanwhile: max ${(loop.max / 1e6).toFixed(0)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(0)} ms`);
  await sleep(idleMs + 1500);
  global.gc?.();
  console.log(`  peak RSS +${mb(peak - idle)} over idle; once the threads went idle +${mb(process.memoryUsage().rss - idle)}`);
  await pool.close();
}

/** A real adapter process under the shapes: /healthz meanwhile, RSS during and after. */
async function realAdapter(birth: Uint8Array, docs: readonly (readonly [string, Uint8Array])[]): Promise<void> {
  const redisUrl = 'redis://127.0.0.1:6379';
  const prefix = stressPrefix('bench-hostile');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'oots-bench-hostile-'));
  const env = stressEnv({ redisUrl, prefix, token: randomBytes(16).toString('hex'), key: randomBytes(32).toString('base64'), dataDir });
  const adapter = await startAdapter(env, ['--role', 'all']);
  try {
    const api = adapter.ready.api!;
    const validate = (body: Uint8Array): Promise<number> =>
      fetch(`${api}/edm/validate`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: new Uint8Array(body) }).then(
        async (r) => (await r.arrayBuffer(), r.status),
      );
    await validate(birth);
    await sleep(1000);
    const idle = rssBytes(adapter.child.pid) ?? NaN;
    console.log(`\nA real adapter process (${process.env.ADAPTER_FROM === 'dist' ? 'dist' : 'TypeScript sources'}), POST /edm/validate; idle RSS ${mb(idle)}`);
    let peak = idle;
    for (const [name, doc] of docs) {
      const t0 = process.hrtime.bigint();
      let done = false;
      const answer = validate(doc).finally(() => (done = true));
      let health = 0;
      let slowest = 0;
      while (!done) {
        const h0 = process.hrtime.bigint();
        const r = await fetch(`${api}/healthz`);
        await r.arrayBuffer();
        if (r.status === 200) health++;
        slowest = Math.max(slowest, Number(process.hrtime.bigint() - h0) / 1e6);
        peak = Math.max(peak, rssBytes(adapter.child.pid) ?? 0);
      }
      const status = await answer;
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const rss = rssBytes(adapter.child.pid) ?? NaN;
      console.log(
        `  ${name.padEnd(26)} ${String(status)} in ${ms.toFixed(0).padStart(5)} ms; /healthz answered ${String(health).padStart(3)}× meanwhile, slowest ${slowest.toFixed(0)} ms; RSS +${mb(rss - idle)}`,
      );
    }
    await sleep(12_000);
    console.log(`  peak RSS +${mb(peak - idle)} over idle; 12 s later (the parse threads ended when idle) +${mb((rssBytes(adapter.child.pid) ?? NaN) - idle)}`);
  } finally {
    await adapter.stop();
    await deleteKeysAt(redisUrl, prefix);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function benchHostile(): Promise<void> {
  const birth = readFileSync(SAMPLE);
  const atLimit = SHAPES.map((s) => [s, Buffer.from(hostileDocument(s, DEFAULT_XML_LIMITS.maxBytes - 1024))] as const);
  const flood240 = ['namespaces, 240 KB', Buffer.from(namespaceFlood(240 * 1024))] as const;
  await throughThreads(birth, [...atLimit, flood240]);
  const xsd = loadEdmXsdValidator();
  const base = measure('birth request: bare parse', () => parseXml(birth), 200, 9);
  const usPerByte = base.medianUs / birth.byteLength;
  const validateBase = measure('birth request: full validate', () => validateMessage(birth, { xsd }), 100, 5);
  global.gc?.();
  const idle = process.memoryUsage().rss;
  const bytes = DEFAULT_XML_LIMITS.maxBytes;
  console.log(`\nHostile XML shapes at XML_MAX_BYTES (${bytes} bytes), default limits`);
  console.log(
    `  birth request (${birth.byteLength} bytes): bare parse ${base.medianUs.toFixed(0)} µs (${(usPerByte * 1000).toFixed(2)} ns/byte), ` +
      `full validate ${validateBase.medianUs.toFixed(0)} µs; idle RSS ${mb(idle)}`,
  );
  const rows: [string, Uint8Array, XmlLimits][] = atLimit.map(([s, doc]) => [s, doc, DEFAULT_XML_LIMITS]);
  // The outside report's document with the namespace bounds lifted: the conversion's own cost.
  rows.push([
    'namespaces, bounds lifted',
    Buffer.from(namespaceFlood(bytes - 1024)),
    { ...DEFAULT_XML_LIMITS, maxNamespacesPerElement: 1e9, maxNamespaces: 1e9, maxElements: 1e7 },
  ]);
  rows.push(['namespaces, 240 KB', Buffer.from(namespaceFlood(240 * 1024)), DEFAULT_XML_LIMITS]);
  let peak = idle;
  for (const [name, doc, limits] of rows) {
    const parse = timed(() => outcomeOf(() => parseXml(doc, limits)));
    const full = timed(() => outcomeOf(() => validateMessage(doc, { limits, xsd })), 1);
    const rss = process.memoryUsage().rss;
    peak = Math.max(peak, rss);
    const ratio = (ms: number): string => `${((ms * 1000) / doc.byteLength / usPerByte).toFixed(1).padStart(6)}×`;
    console.log(
      `  ${name.padEnd(26)} ${String(doc.byteLength).padStart(8)} B  parse ${parse.ms.toFixed(0).padStart(5)} ms ${ratio(parse.ms)}/byte` +
        `  validate ${full.ms.toFixed(0).padStart(5)} ms ${ratio(full.ms)}/byte  RSS +${mb(rss - idle)}  ${full.outcome}`,
    );
  }
  global.gc?.();
  console.log(`  peak RSS +${mb(peak - idle)} over idle; after gc +${mb(process.memoryUsage().rss - idle)}`);
  xsd.dispose();
  await realAdapter(birth, [flood240, ...atLimit]);
}

if (import.meta.url === `file://${process.argv[1]}`) await benchHostile();
