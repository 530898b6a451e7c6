import { Redis } from 'ioredis';
import { AdapterError } from '../../src/errors.js';
import { createLogger } from '../../src/infra/logger.js';
import { type JobContext, createQueues, type Queues } from '../../src/queue/queues.js';
import { checkRedis } from '../../src/infra/redis.js';
import { deleteKeys, REDIS_URL, testPrefix } from '../support/connector-fixtures.js';

const logger = createLogger('silent');
const admin = new Redis(REDIS_URL);
const prefixes: string[] = [];
const open: Queues[] = [];

/** A queue set on its own hash-tagged prefix, fast backoffs. */
function queues(extra: Partial<Parameters<typeof createQueues>[0]> = {}): Queues {
  const prefix = testPrefix('q').slice(0, -1);
  prefixes.push(prefix);
  const q = createQueues({
    connection: { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null },
    prefix,
    logger,
    processAttempts: 3,
    processBackoffMs: 10,
    deliveryBackoffMs: 10,
    deliveryBackoffMaxMs: 40,
    ...extra,
  });
  open.push(q);
  return q;
}

function waitFor(predicate: () => boolean, what: string, ms = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const tick = (): void => {
      if (predicate()) resolve();
      else if (Date.now() - start > ms) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 10);
    };
    tick();
  });
}

async function eventually(check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const noop = async (): Promise<void> => {};
/** Stands for the handler's own I/O. */
const io = (): Promise<void> => new Promise((r) => setImmediate(r));

afterAll(async () => {
  for (const q of open) await q.close(2000);
  for (const p of prefixes) await deleteKeys(admin, p);
  await admin.quit();
});

describe('queues', () => {
  test('process: retried with backoff, the last attempt knows it is final', async () => {
    const q = queues();
    const seen: { attemptsMade: number; final: boolean }[] = [];
    await q.startWorkers(
      {
        process: async (_ref, ctx: JobContext) => {
          await io();
          seen.push({ attemptsMade: ctx.attemptsMade, final: ctx.final });
          if (!ctx.final) throw new Error('DAGR is down');
        },
        deliver: noop,
      },
      { concurrency: 2 },
    );
    await q.enqueueProcess('xRetry');
    await waitFor(() => seen.length === 3, 'three attempts');
    expect(seen).toEqual([
      { attemptsMade: 0, final: false },
      { attemptsMade: 1, final: false },
      { attemptsMade: 2, final: true },
    ]);
    await eventually(async () => (await q.counts()).process.completed === 1, 'the job completes');
    expect((await q.counts()).process.failed).toBe(0);
  });

  test('a duplicate enqueue collapses into the existing job', async () => {
    const q = queues();
    await q.pause('process');
    await Promise.all([q.enqueueProcess('xDup'), q.enqueueProcess('xDup'), q.enqueueProcess('xDup')]);
    await q.enqueueProcess('xOther');
    const runs: string[] = [];
    await q.startWorkers(
      {
        process: async (ref) => {
          await io();
          runs.push(ref);
        },
        deliver: noop,
      },
      { concurrency: 4 },
    );
    const counts = await q.counts();
    expect(counts.process.paused).toBe(true);
    expect(counts.process.waiting + counts.process.prioritized).toBe(2);
    await q.resume('process');
    await waitFor(() => runs.length === 2, 'two runs');
    await q.enqueueProcess('xDup'); // still kept as completed: collapses again
    await new Promise((r) => setTimeout(r, 100));
    expect(runs.sort()).toEqual(['xDup', 'xOther']);
  });

  test('deliver: retried until accepted; a refusal stops it, stays visible as failed and calls onFailed', async () => {
    const q = queues({ deliveryAttempts: 1_000_000 });
    const attempts = new Map<string, number>();
    const failed: string[] = [];
    await q.startWorkers(
      {
        process: noop,
        deliver: async (ref, ctx) => {
          await io();
          attempts.set(ref, (attempts.get(ref) ?? 0) + 1);
          expect(ctx.final).toBe(false);
          if (ref === 'xRefused') throw new AdapterError('ERR_CONNECTOR_REFUSED', 'connector answered HTTP 400');
          if (attempts.get(ref)! < 6)
            throw new AdapterError('ERR_CONNECTOR_UNAVAILABLE', 'connector answered HTTP 503');
        },
        onFailed: async (name, ref) => {
          await io();
          failed.push(`${name}:${ref}`);
        },
      },
      { concurrency: 2 },
    );
    await q.enqueueDelivery('xSlow');
    await q.enqueueDelivery('xRefused');
    await waitFor(() => attempts.get('xSlow') === 6 && failed.length === 1, 'delivery after five refusals');
    expect(attempts.get('xRefused')).toBe(1);
    expect(failed).toEqual(['deliver:xRefused']);
    await eventually(async () => (await q.counts()).deliver.failed === 1, 'the refused job in the failed set');
    await eventually(async () => (await q.counts()).deliver.completed === 1, 'the accepted job completed');
  });

  test('close() lets an in-flight job finish', async () => {
    const q = queues();
    let finished = false;
    let started = false;
    await q.startWorkers(
      {
        process: async () => {
          started = true;
          await new Promise((r) => setTimeout(r, 300));
          finished = true;
        },
        deliver: noop,
      },
      { concurrency: 1 },
    );
    await q.enqueueProcess('xSlowJob');
    await waitFor(() => started, 'job start');
    await q.close(5000);
    expect(finished).toBe(true);
  });

  test('close() past its timeout hands the running job back to the queue without spending an attempt', async () => {
    const prefix = testPrefix('q-handback').slice(0, -1);
    prefixes.push(prefix);
    const make = () =>
      createQueues({
        connection: { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null },
        prefix,
        logger,
        processAttempts: 3,
      });
    const first = make();
    let aborted = false;
    let started = false;
    await first.startWorkers(
      {
        process: (_ref, ctx) =>
          new Promise<void>((resolve) => {
            started = true;
            ctx.signal.addEventListener('abort', () => {
              aborted = true;
              resolve();
            });
          }),
        deliver: noop,
      },
      { concurrency: 1 },
    );
    await first.enqueueProcess('xHanded');
    await waitFor(() => started, 'job start');
    await first.close(200);
    expect(aborted).toBe(true);

    const second = make();
    open.push(second);
    const seen: number[] = [];
    await second.startWorkers(
      {
        process: async (_ref, ctx) => {
          await io();
          seen.push(ctx.attemptsMade);
        },
        deliver: noop,
      },
      { concurrency: 1 },
    );
    await waitFor(() => seen.length === 1, 'the second worker takes the job');
    expect(seen).toEqual([0]);
  });

  test('startWorkers refuses a missing handler', async () => {
    const q = queues();
    await expect(q.startWorkers({ process: noop } as never, { concurrency: 1 })).rejects.toThrow(/deliver/);
  });

  test('checkRedis reports the eviction policy and AOF state of the server', async () => {
    const warnings = await checkRedis(admin);
    const policy = ((await admin.call('CONFIG', 'GET', 'maxmemory-policy')) as string[])[1];
    const aof = /aof_enabled:1/.test(await admin.info('persistence'));
    expect(warnings.some((w) => /maxmemory-policy/.test(w))).toBe(policy !== 'noeviction');
    expect(warnings.some((w) => /AOF is off/.test(w))).toBe(!aof);
  });
});
