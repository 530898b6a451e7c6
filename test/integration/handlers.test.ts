/**
 * The queue handlers on a real Redis with the real store and queues: the answer leaves from the
 * process job itself when the connector takes it, the deliver queue carries only what it did not
 * take (retries with the same stored message), and a paused deliver queue holds every answer.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { envelopeFor } from '../../src/cli/send.js';
import { parseEnvelope } from '../../src/connector/envelope.js';
import { generateKey } from '../../src/infra/aead.js';
import { AdapterError } from '../../src/errors.js';
import type { OutboundMessage } from '../../src/exchange/ports.js';
import { createLogger } from '../../src/infra/logger.js';
import { createQueues, type Queues } from '../../src/queue/queues.js';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Queue } from 'bullmq';
import { JOB_QUEUES, jobId } from '../../src/queue/jobs.js';
import {
  createDeliverHandler,
  createProcessHandler,
  onDeliveryGivenUp,
  startRescueSweep,
  type HandlerDeps,
} from '../../src/worker/handlers.js';
import { createExchangeStore, type ExchangeState } from '../../src/store/exchange-store.js';
import { deleteKeys, REDIS_URL, testPrefix } from '../support/connector-fixtures.js';
import { exampleRequest, testDeps } from '../support/exchange-fixtures.js';

const logger = createLogger('silent');
const redis = new Redis(REDIS_URL);
const prefixes: string[] = [];
const running: Queues[] = [];

interface Rig {
  readonly prefix: string;
  readonly queues: Queues;
  startWorkers(): Promise<void>;
  readonly deps: HandlerDeps;
  readonly submitted: string[];
  readonly bodies: string[];
  post(enqueue?: boolean): Promise<string>;
  state(ref: string): Promise<ExchangeState | undefined>;
}

/**
 * Store, queues and handlers on a fresh prefix; the connector fails the first `failures` submits
 * (with `failWith`, default: unavailable).
 */
async function rig(
  failures = 0,
  opts: { failWith?: AdapterError; queue?: Partial<Parameters<typeof createQueues>[0]>; workersLater?: boolean } = {},
): Promise<Rig> {
  const prefix = testPrefix('handlers').slice(0, -1);
  prefixes.push(prefix);
  const store = createExchangeStore(redis, { prefix: `${prefix}:store:`, key: generateKey(), ttlSeconds: 600 });
  const queues = createQueues({
    connection: { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null },
    prefix,
    logger,
    processBackoffMs: 10,
    deliveryBackoffMs: 20,
    deliveryBackoffMaxMs: 40,
    ...opts.queue,
  });
  running.push(queues);
  const submitted: string[] = [];
  const bodies: string[] = [];
  let refusals = failures;
  const deps: HandlerDeps = {
    store,
    queues,
    exchange: testDeps(),
    logger,
    submitter: {
      submit(_ref: string, message: OutboundMessage) {
        submitted.push(message.userMessage.messageId);
        bodies.push(message.regrep);
        if (refusals-- > 0)
          return Promise.reject(
            opts.failWith ?? new AdapterError('ERR_CONNECTOR_UNAVAILABLE', 'connector answered HTTP 503'),
          );
        return Promise.resolve();
      },
    },
  };
  const startWorkers = (): Promise<void> =>
    queues.startWorkers(
      {
        process: createProcessHandler(deps),
        deliver: createDeliverHandler(deps),
        onFailed: async (name, ref, error) => {
          if (name === 'deliver') await onDeliveryGivenUp(deps, ref, error);
        },
      },
      { concurrency: 2 },
    );
  if (opts.workersLater !== true) await startWorkers();
  return {
    startWorkers,
    prefix,
    queues,
    deps,
    submitted,
    bodies,
    async post(enqueue = true) {
      const xml = exampleRequest('lv-birth-certificate-pdf').replace(
        /(<query:QueryRequest\b[^>]*\bid=")urn:uuid:[^"]+"/,
        `$1urn:uuid:${randomUUID()}"`,
      );
      const { userMessage, payloads } = parseEnvelope(envelopeFor(Buffer.from(xml)));
      const { exchangeRef } = await store.acceptInbound({
        userMessage,
        payloads,
        receivedAt: new Date().toISOString(),
      });
      if (enqueue) await queues.enqueueProcess(exchangeRef);
      return exchangeRef;
    },
    state: (ref) => store.getState(ref),
  };
}

async function until(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

afterAll(async () => {
  await Promise.all(running.map((q) => q.close(2000)));
  for (const p of prefixes) await deleteKeys(redis, p);
  await redis.quit();
});

describe('process and deliver handlers', () => {
  test('an accepted answer leaves from the process job: one submit, no deliver job', async () => {
    const r = await rig();
    const ref = await r.post();
    await until('delivered', async () => (await r.state(ref)) === 'delivered');
    expect(r.submitted).toHaveLength(1);
    const counts = (await r.queues.counts()).deliver;
    expect(counts.waiting + counts.delayed + counts.active + counts.completed + counts.failed).toBe(0);
  });

  test('a refused submit goes to the deliver queue, which resends the same stored message until accepted', async () => {
    const r = await rig(2);
    const ref = await r.post();
    await until('delivered', async () => (await r.state(ref)) === 'delivered');
    expect(r.submitted).toHaveLength(3);
    expect(new Set(r.submitted).size).toBe(1);
    expect((await r.queues.counts()).deliver.completed).toBe(1);
  });

  test('a paused deliver queue holds the answer; nothing leaves until ops resume it', async () => {
    const r = await rig();
    await r.queues.pause('deliver');
    const ref = await r.post();
    await until('answered', async () => (await r.state(ref)) === 'answered');
    await until('queued for delivery', async () => (await r.queues.counts()).deliver.waiting === 1);
    expect(r.submitted).toHaveLength(0);
    await r.queues.resume('deliver');
    await until('delivered', async () => (await r.state(ref)) === 'delivered');
    expect(r.submitted).toHaveLength(1);
  });

  test('a request whose worker dies mid-job more often than allowed is answered EDM:ERR:0008, once, not left in silence', async () => {
    const r = await rig(0, {
      queue: { lockDurationMs: 1000, stalledIntervalMs: 300, maxStalledCount: 0 },
      workersLater: true,
    });
    const ref = await r.post(false);
    // A worker process takes the job and is killed with it (its lock is no longer renewed).
    const raw = new Queue(JOB_QUEUES.process, { connection: { host: '127.0.0.1', port: 6379 }, prefix: r.prefix });
    await raw.add('process', { exchangeRef: ref }, { jobId: jobId('process', ref), attempts: 5 });
    await raw.close();
    const dying = spawn(process.execPath, ['test/support/dying-worker.mjs', REDIS_URL, r.prefix, JOB_QUEUES.process], {
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) =>
      createInterface({ input: dying.stdout }).on('line', (l) => l.startsWith('taken') && resolve()),
    );
    dying.kill('SIGKILL');
    await new Promise((resolve) => dying.once('exit', resolve));
    await r.startWorkers();

    // The surviving workers find the stalled job and, with no stall allowed, fail it.
    await until('the job failed for good', async () =>
      (await r.queues.failedJobs('process', 10)).some((j) => j.exchangeRef === ref),
    );
    expect(await r.state(ref)).toBe('received');
    const failed = (await r.queues.failedJobs('process', 10)).find((j) => j.exchangeRef === ref);
    expect(failed?.reason).toMatch(/stalled/);

    // Two sweeps at once (two worker processes): one answer.
    const sweepA = startRescueSweep({
      deps: r.deps,
      failedJobs: (n) => r.queues.failedJobs('process', n),
      intervalMs: 60_000,
    });
    const sweepB = startRescueSweep({
      deps: r.deps,
      failedJobs: (n) => r.queues.failedJobs('process', n),
      intervalMs: 60_000,
    });
    const rescued = await Promise.all([sweepA.runOnce(), sweepB.runOnce()]);
    sweepA.stop();
    sweepB.stop();
    expect(rescued[0] + rescued[1]).toBe(1);
    await until('delivered', async () => (await r.state(ref)) === 'delivered');
    expect(r.submitted).toHaveLength(1);
    expect(r.bodies[0]).toContain('code="EDM:ERR:0008"');
    // A later sweep finds nothing left to do.
    const again = startRescueSweep({
      deps: r.deps,
      failedJobs: (n) => r.queues.failedJobs('process', n),
      intervalMs: 60_000,
    });
    expect(await again.runOnce()).toBe(0);
    again.stop();
  });

  test('a delivery the connector refuses for good marks the exchange failed (visible, not retried forever)', async () => {
    const r = await rig(100, { failWith: new AdapterError('ERR_CONNECTOR_REFUSED', 'connector answered HTTP 400') });
    const ref = await r.post();
    await until('failed', async () => (await r.state(ref)) === 'failed');
    // The inline attempt and the deliver job's one attempt: refused is final, no more retries.
    expect(r.submitted).toHaveLength(2);
    expect((await r.queues.counts()).deliver.failed).toBe(1);
  });
});
