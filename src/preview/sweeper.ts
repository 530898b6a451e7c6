/**
 * The preview deadlines at work: every `intervalMs` it expires the sessions whose T2 or T3 passed
 * (their evidence is dropped by the store) and hands on every released request #2 ref (parked
 * v2.0 requests whose session was decided or expired) that nobody acknowledged within `graceMs`
 * (the router acknowledges its own at once). `onReleased` enqueues the processing of that
 * exchange; job ids are deterministic, so handing one on twice is harmless. Run it in worker
 * processes; several may run at once (every step is atomic in the store).
 */
import type { Logger } from '../infra/logger.js';
import { startPeriodic } from '../infra/periodic.js';
import type { PreviewStore, ReleasedRequest } from './session-store.js';

export interface PreviewSweeperOptions {
  readonly store: PreviewStore;
  readonly logger: Logger;
  readonly onReleased: (released: ReleasedRequest) => Promise<void>;
  /** Default 5000 ms. */
  readonly intervalMs?: number;
  /** How long a release may wait for its acknowledgement before the sweeper hands it on. Default 30000 ms. */
  readonly graceMs?: number;
  /** Most sessions handled per round. Default 500. */
  readonly batch?: number;
}

export interface PreviewSweeper {
  /** One round (also what the timer runs); resolves with what it did. */
  runOnce(): Promise<{ expired: number; handedOn: number }>;
  stop(): Promise<void>;
}

export function startPreviewSweeper(opts: PreviewSweeperOptions): PreviewSweeper {
  const { store, logger } = opts;
  const batch = opts.batch ?? 500;
  // The round in progress, so that `stop` can wait for it.
  let running: Promise<unknown> = Promise.resolve();

  async function handOn(r: ReleasedRequest): Promise<boolean> {
    try {
      await opts.onReleased(r);
      await store.ackReleased(r.sessionId);
      return true;
    } catch (err) {
      logger.warn(
        { err, preview: r.sessionId.slice(0, 8) },
        'released preview request not handed on; retried next round',
      );
      return false;
    }
  }

  async function runOnce(): Promise<{ expired: number; handedOn: number }> {
    const { expired, released } = await store.sweepExpired(batch);
    let handedOn = 0;
    const tried = new Set<string>();
    for (const r of released) {
      tried.add(r.sessionId);
      if (await handOn(r)) handedOn++;
    }
    for (const r of await store.listReleased(opts.graceMs ?? 30_000, batch))
      if (!tried.has(r.sessionId) && (await handOn(r))) handedOn++;
    if (expired.length > 0 || handedOn > 0) logger.info({ expired: expired.length, handedOn }, 'preview sweep');
    return { expired: expired.length, handedOn };
  }

  const timer = startPeriodic(
    opts.intervalMs ?? 5000,
    () => (running = runOnce()),
    (err: unknown) => logger.error({ err }, 'preview sweep failed'),
  );

  return {
    runOnce,
    async stop() {
      timer.stop();
      await running.catch(() => undefined);
    },
  };
}
