/**
 * The BullMQ queues of the pipeline and their workers.
 *
 * - `process` jobs: `processAttempts` attempts with exponential backoff (with jitter). The handler
 *   learns from `ctx.final` that it runs its last attempt: it must then answer with an EDM error
 *   instead of throwing, so that no request ends in silence.
 * - `deliver` jobs: retried until the connector accepts (a very large attempt budget, capped
 *   exponential backoff). A delivery is given up only when the handler says so by throwing an
 *   error with code ERR_CONNECTOR_REFUSED (or a BullMQ UnrecoverableError); the failed job stays
 *   in the failed set, visible to ops, and `onFailed` is told.
 *
 * Job ids are deterministic (`process-<ref>`, `deliver-<ref>`): a second enqueue while the job
 * exists collapses into it. Completed jobs are kept only briefly, so handlers must themselves be
 * idempotent against the exchange state (a late duplicate enqueue after completion runs again).
 *
 * Shutdown: `close(timeoutMs)` stops taking jobs, lets running ones finish; past the timeout it
 * aborts them (ctx.signal) and moves them back to waiting, so another worker takes them over
 * without spending an attempt.
 */
import { type ConnectionOptions, Queue, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { AdapterError } from '../errors.js';
import type { Logger } from '../infra/logger.js';
import { isPayload, JOB_NAMES, JOB_QUEUES, jobId, type JobName } from './jobs.js';

export interface JobContext {
  /** Failed attempts before this one (0 on the first run). */
  readonly attemptsMade: number;
  /** True on the last attempt the queue will make. */
  readonly final: boolean;
  /** Child logger carrying job name, exchange reference and attempt. */
  readonly log: Logger;
  /** Aborted when shutdown gives up waiting for this job (it is handed back to the queue). */
  readonly signal: AbortSignal;
}

export type JobHandler = (exchangeRef: string, ctx: JobContext) => Promise<void>;

export interface JobHandlers {
  readonly process: JobHandler;
  readonly deliver: JobHandler;
  /** Called once when a job ends failed for good (attempts spent or unrecoverable). Must not throw. */
  readonly onFailed?: (name: JobName, exchangeRef: string, error: unknown) => Promise<void>;
}

export interface QueuesOptions {
  /** A Redis/Cluster client (BullMQ duplicates it for blocking reads) or connection options. */
  readonly connection: Redis | Cluster | ConnectionOptions;
  /** Key prefix, e.g. `{oots}`: the {hash tag} keeps each queue in one Cluster slot. */
  readonly prefix: string;
  readonly logger: Logger;
  /** Attempts for `process` jobs. Default 5. */
  readonly processAttempts?: number;
  /** First backoff of `process` jobs in ms (doubles each attempt). Default 1000. */
  readonly processBackoffMs?: number;
  /** First backoff of `deliver` jobs in ms. Default 1000. */
  readonly deliveryBackoffMs?: number;
  /** Cap of the `deliver` backoff in ms. Default 300000. */
  readonly deliveryBackoffMaxMs?: number;
  /** Attempt budget of `deliver` jobs ("until accepted"). Default 1,000,000. */
  readonly deliveryAttempts?: number;
  /**
   * How long a worker's claim on a job lasts without renewal (ms, default 30000). A worker that
   * dies, or whose event loop stays blocked this long, loses the job to another worker.
   */
  readonly lockDurationMs?: number;
  /** How often workers look for such stalled jobs (ms, default 30000). */
  readonly stalledIntervalMs?: number;
  /**
   * How often a job may stall before BullMQ fails it (default 1). A failed `process` job does
   * not end in silence: the rescue sweep (src/worker/handlers.ts) answers it with EDM:ERR:0008.
   */
  readonly maxStalledCount?: number;
}

export interface WorkerOptions {
  /** Jobs run at once per queue in this process. */
  readonly concurrency: number;
  /** Override for the deliver queue (defaults to `concurrency`). */
  readonly deliverConcurrency?: number;
}

export type QueueCounts = Record<
  JobName,
  Record<'waiting' | 'prioritized' | 'active' | 'delayed' | 'failed' | 'completed', number> & {
    readonly paused: boolean;
  }
>;

export interface Queues {
  /** `round` distinguishes a later processing round of the same exchange (see jobId). */
  enqueueProcess(exchangeRef: string, round?: string): Promise<void>;
  enqueueDelivery(exchangeRef: string): Promise<void>;
  /** Starts this process's workers; every job name must have a handler. Call at most once. */
  startWorkers(handlers: JobHandlers, opts: WorkerOptions): Promise<void>;
  /** Pauses a queue for every worker on every host (default: both). */
  pause(name?: JobName): Promise<void>;
  resume(name?: JobName): Promise<void>;
  /** Whether ops paused a queue (the process handler then leaves delivery to the paused queue). */
  isPaused(name: JobName): Promise<boolean>;
  counts(): Promise<QueueCounts>;
  /** Exchange references of the newest jobs that failed for good, newest first, with the reason. */
  failedJobs(name: JobName, limit: number): Promise<{ exchangeRef: string; reason: string }[]>;
  /**
   * Enqueue time (epoch ms) of the oldest job not yet done per queue (waiting, prioritized,
   * delayed for a retry, or active); undefined when the queue is empty. For the ops summary.
   */
  oldestPending(): Promise<Record<JobName, number | undefined>>;
  /** The BullMQ Queue objects, for the ops dashboard (bull-board). Do not close them yourself. */
  bullQueues(): Readonly<Record<JobName, Queue>>;
  /** Closes workers gracefully (see the module comment), then the queues. Default 10 s. */
  close(timeoutMs?: number): Promise<void>;
}

const CAPPED = 'capped-exponential';

/** Capped exponential backoff with ±20 % jitter (attempt 1 waits about `base`). */
export function cappedBackoff(
  attemptsMade: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const raw = Math.min(maxMs, baseMs * 2 ** Math.min(attemptsMade - 1, 40));
  return Math.max(1, Math.round(raw * (0.8 + 0.4 * random())));
}

export function createQueues(opts: QueuesOptions): Queues {
  const connection = opts.connection as ConnectionOptions;
  const processAttempts = opts.processAttempts ?? 5;
  const processBackoffMs = opts.processBackoffMs ?? 1000;
  const deliveryBackoffMs = opts.deliveryBackoffMs ?? 1000;
  const deliveryBackoffMaxMs = opts.deliveryBackoffMaxMs ?? 300_000;
  const deliveryAttempts = opts.deliveryAttempts ?? 1_000_000;

  const queues: Record<JobName, Queue> = {
    process: new Queue(JOB_QUEUES.process, { connection, prefix: opts.prefix }),
    deliver: new Queue(JOB_QUEUES.deliver, { connection, prefix: opts.prefix }),
  };
  for (const q of Object.values(queues))
    q.on('error', (err) => opts.logger.error({ err, queue: q.name }, 'queue error'));

  const workers: Worker[] = [];
  let started = false;

  const jobOptions = {
    process: {
      attempts: processAttempts,
      backoff: { type: 'exponential', delay: processBackoffMs, jitter: 0.2 },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 10_000 },
    },
    deliver: {
      attempts: deliveryAttempts,
      backoff: { type: CAPPED, delay: deliveryBackoffMs },
      removeOnComplete: { count: 1000 },
      removeOnFail: false,
    },
  } as const;

  async function enqueue(name: JobName, exchangeRef: string, round?: string): Promise<void> {
    await queues[name].add(name, { exchangeRef }, { ...jobOptions[name], jobId: jobId(name, exchangeRef, round) });
  }

  return {
    enqueueProcess: (ref, round) => enqueue('process', ref, round),
    enqueueDelivery: (ref) => enqueue('deliver', ref),

    async startWorkers(handlers, wopts) {
      if (started) throw new Error('workers already started');
      started = true;
      for (const name of JOB_NAMES) {
        if (typeof handlers[name] !== 'function') throw new Error(`no handler for job "${name}"`);
        const worker = new Worker(JOB_QUEUES[name], makeProcessor(name, handlers, opts.logger), {
          connection,
          prefix: opts.prefix,
          concurrency: name === 'deliver' ? (wopts.deliverConcurrency ?? wopts.concurrency) : wopts.concurrency,
          ...(opts.lockDurationMs === undefined ? {} : { lockDuration: opts.lockDurationMs }),
          ...(opts.stalledIntervalMs === undefined ? {} : { stalledInterval: opts.stalledIntervalMs }),
          ...(opts.maxStalledCount === undefined ? {} : { maxStalledCount: opts.maxStalledCount }),
          settings: {
            backoffStrategy: (attemptsMade: number) =>
              cappedBackoff(attemptsMade, deliveryBackoffMs, deliveryBackoffMaxMs),
          },
        });
        worker.on('error', (err) => opts.logger.error({ err, queue: worker.name }, 'worker error'));
        workers.push(worker);
      }
      await Promise.all(workers.map((w) => w.waitUntilReady()));
    },

    async pause(name) {
      await Promise.all((name === undefined ? JOB_NAMES : [name]).map((n) => queues[n].pause()));
    },
    async resume(name) {
      await Promise.all((name === undefined ? JOB_NAMES : [name]).map((n) => queues[n].resume()));
    },

    isPaused: (name) => queues[name].isPaused(),

    async failedJobs(name, limit) {
      const jobs = await queues[name].getFailed(0, Math.max(0, limit - 1));
      return jobs
        .filter((job) => isPayload(job.data))
        .map((job) => ({ exchangeRef: (job.data as { exchangeRef: string }).exchangeRef, reason: job.failedReason }));
    },

    counts: () => countJobs(queues),

    oldestPending: () => oldestPending(queues),

    bullQueues: () => queues,

    close: (timeoutMs = 10_000) => closeAll(workers, queues, opts.logger, timeoutMs),
  };
}

/** The BullMQ processor of one queue: runs its handler, decides retry or give-up, hands jobs back on shutdown. */
function makeProcessor(name: JobName, handlers: JobHandlers, logger: Logger) {
  const handler = handlers[name];
  // Three parameters: BullMQ passes the abort signal only to processors that declare it.
  return async (job: Job, token: string | undefined, signal?: AbortSignal): Promise<void> => {
    if (!isPayload(job.data)) throw new UnrecoverableError(`job ${String(job.id)} has no exchange reference`);
    const ref = job.data.exchangeRef;
    const attempts = job.opts.attempts ?? 1;
    const log = logger.child({ job: name, exchangeRef: ref, attempt: job.attemptsMade + 1 });
    const ctrl = new AbortController();
    const ctx: JobContext = {
      attemptsMade: job.attemptsMade,
      final: job.attemptsMade + 1 >= attempts,
      log,
      signal: ctrl.signal,
    };
    const aborted = new Promise<'aborted'>((resolve) => {
      if (signal === undefined) return;
      if (signal.aborted) resolve('aborted');
      signal.addEventListener('abort', () => resolve('aborted'), { once: true });
    });
    signal?.addEventListener('abort', () => ctrl.abort(signal.reason), { once: true });
    let outcome: 'done' | 'aborted';
    try {
      outcome = await Promise.race([handler(ref, ctx).then(() => 'done' as const), aborted]);
    } catch (err) {
      const refused = err instanceof AdapterError && err.code === 'ERR_CONNECTOR_REFUSED';
      const giveUp = err instanceof UnrecoverableError || refused || ctx.final;
      if (giveUp) {
        log.error({ err: describe(err) }, `${name} job failed for good`);
        await handlers
          .onFailed?.(name, ref, err)
          .catch((e: unknown) => log.error({ err: describe(e) }, 'onFailed threw'));
        if (refused) throw new UnrecoverableError(`connector refused: ${describe(err).message}`);
      } else {
        log.warn({ err: describe(err) }, `${name} attempt failed; will retry`);
      }
      throw err;
    }
    if (outcome === 'aborted') {
      // Shutdown gave up waiting: hand the job back without spending an attempt.
      log.info('handing the job back to the queue (shutdown)');
      await job.moveToWait(token);
      throw new WaitingError();
    }
  };
}

/** Job counts and the paused flag of each queue. */
async function countJobs(queues: Readonly<Record<JobName, Queue>>): Promise<QueueCounts> {
  const out = {} as QueueCounts;
  for (const name of JOB_NAMES) {
    const q = queues[name];
    const c = await q.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed');
    out[name] = {
      waiting: c.waiting ?? 0,
      prioritized: c.prioritized ?? 0,
      active: c.active ?? 0,
      delayed: c.delayed ?? 0,
      failed: c.failed ?? 0,
      completed: c.completed ?? 0,
      paused: await q.isPaused(),
    };
  }
  return out;
}

/** Enqueue time of the oldest job not yet done per queue (see Queues.oldestPending). */
async function oldestPending(queues: Readonly<Record<JobName, Queue>>): Promise<Record<JobName, number | undefined>> {
  const out = {} as Record<JobName, number | undefined>;
  for (const name of JOB_NAMES) {
    let oldest: number | undefined;
    // The wait list is in enqueue order (its oldest is at the head); delayed, prioritized and
    // active are not, so a bounded sample of those is scanned.
    const sample = [
      ['wait', 0],
      ['prioritized', 99],
      ['delayed', 99],
      ['active', 99],
    ] as const;
    for (const [state, end] of sample) {
      for (const job of await queues[name].getJobs([state], 0, end, true))
        if (oldest === undefined || job.timestamp < oldest) oldest = job.timestamp;
    }
    out[name] = oldest;
  }
  return out;
}

/** Closes the workers gracefully (see the module comment), then the queues. */
async function closeAll(
  workers: readonly Worker[],
  queues: Readonly<Record<JobName, Queue>>,
  logger: Logger,
  timeoutMs: number,
): Promise<void> {
  await Promise.all(
    workers.map(async (w) => {
      const closing = w.close();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        closing.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        logger.warn({ queue: w.name }, 'shutdown: jobs still running; handing them back');
        w.cancelAllJobs('shutdown');
        await closing;
      }
    }),
  );
  await Promise.all(Object.values(queues).map((q) => q.close()));
}

function describe(err: unknown): { message: string; code?: string } {
  if (err instanceof AdapterError) return { message: err.message, code: err.code };
  return { message: err instanceof Error ? err.message : String(err) };
}
