/**
 * The delivery sweep: finds exchanges that have a stored answer (`answered`) but were not
 * delivered a while after, and queues their delivery. The normal path never needs it (the
 * process job submits or queues the delivery right after saving the answer); it closes the gap
 * when that hand-over was lost: a worker that died between the two steps with its job already
 * completed, a reply lost in a Redis fail-over, a job record lost with an unreplicated write.
 *
 * Idempotent by construction: the deliver job id is deterministic (`deliver-<ref>`), so an
 * exchange whose delivery is queued or retrying is not queued twice; the deliver handler resends
 * the one stored message (same AS4 MessageId), which the connector's duplicate detection absorbs
 * should the first hand-over have reached it after all.
 */
import type { ExchangeStore } from '../store/exchange-store.js';
import type { Logger } from '../infra/logger.js';
import { startPeriodic } from '../infra/periodic.js';

export interface DeliverySweepOptions {
  readonly store: Pick<ExchangeStore, 'listAnswered'>;
  readonly queues: { enqueueDelivery(ref: string): Promise<void> };
  readonly logger: Logger;
  readonly intervalMs: number;
  /**
   * How long an answer may wait before the sweep steps in. Keep it above a normal delivery
   * attempt (the connector timeout), or the sweep queues a second submit of an answer the process
   * job is still submitting (harmless: same MessageId, but wasted).
   */
  readonly graceMs: number;
  /** Exchanges looked at per round. Default 200. */
  readonly limit?: number;
}

export function startDeliverySweep(opts: DeliverySweepOptions): { stop(): void; runOnce(): Promise<number> } {
  const runOnce = async (): Promise<number> => {
    const refs = await opts.store.listAnswered(opts.graceMs, opts.limit ?? 200);
    for (const ref of refs) await opts.queues.enqueueDelivery(ref);
    if (refs.length > 0)
      opts.logger.warn({ count: refs.length }, 'delivery sweep queued answers that were stored but not delivered');
    return refs.length;
  };
  const timer = startPeriodic(opts.intervalMs, runOnce, (error: unknown) =>
    opts.logger.warn(
      { err: error instanceof Error ? { message: error.message } : String(error) },
      'delivery sweep failed',
    ),
  );
  return { stop: () => timer.stop(), runOnce };
}
