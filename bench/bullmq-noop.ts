/**
 * BullMQ's bare no-op job rate on a Redis: the ceiling the pipeline benchmarks compare with.
 * `bulk`: jobs added in bulks of 500, one worker of concurrency 50 (BullMQ at its best).
 * `single`: jobs added one at a time by 16 concurrent producers to one worker of the given
 * concurrency (how intake and the adapter's workers use BullMQ).
 */
import { Queue, Worker } from 'bullmq';

export async function bullmqNoopRate(
  redisUrl: string,
  prefix: string,
  jobs: number,
  shape: { readonly kind: 'bulk' } | { readonly kind: 'single'; readonly concurrency: number },
): Promise<number> {
  const connection = { url: redisUrl, maxRetriesPerRequest: null } as const;
  const name = shape.kind === 'bulk' ? 'noop' : 'noop1';
  const queue = new Queue(name, { connection, prefix });
  let done = 0;
  let finished!: () => void;
  const all = new Promise<void>((r) => (finished = r));
  const concurrency = shape.kind === 'bulk' ? 50 : shape.concurrency;
  const worker = new Worker(name, () => Promise.resolve(undefined), { connection, prefix, concurrency });
  worker.on('completed', () => {
    if (++done === jobs) finished();
  });
  await worker.waitUntilReady();
  const t0 = performance.now();
  if (shape.kind === 'bulk') {
    for (let i = 0; i < jobs; i += 500) {
      const n = Math.min(500, jobs - i);
      await queue.addBulk(
        Array.from({ length: n }, (_, k) => ({ name, data: { i: i + k }, opts: { removeOnComplete: true } })),
      );
    }
  } else {
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < jobs) await queue.add(name, { i: next++ }, { removeOnComplete: true });
      }),
    );
  }
  await all;
  const rate = jobs / ((performance.now() - t0) / 1000);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return rate;
}
