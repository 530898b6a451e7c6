/**
 * The typed job registry: every job name, its queue and its payload. Payloads carry the exchange
 * reference only, never personal data or message content (those stay encrypted in the store).
 */

export interface JobPayloads {
  /** Turn a stored request into a stored answer (or an EDM error answer). */
  readonly process: { readonly exchangeRef: string };
  /** Hand the stored answer to the connector, until it is accepted. */
  readonly deliver: { readonly exchangeRef: string };
}

export type JobName = keyof JobPayloads;

/** Queue of each job name (one queue per job, so each can be paused and sized on its own). */
export const JOB_QUEUES: { readonly [N in JobName]: string } = {
  process: 'exchange-process',
  deliver: 'exchange-deliver',
};

export const JOB_NAMES = Object.keys(JOB_QUEUES) as JobName[];

/**
 * Deterministic job id, so a second enqueue of the same exchange collapses into the existing job.
 * BullMQ refuses custom ids with one ':' (legacy repeatable-job format), hence the dash.
 */
export function jobId(name: JobName, exchangeRef: string, round?: string): string {
  // A later round of the same exchange (a request #2 released by the preview) needs its own id:
  // BullMQ ignores an add whose id it still remembers from the first round.
  return round === undefined ? `${name}-${exchangeRef}` : `${name}-${exchangeRef}-${round}`;
}

/** Guards what comes out of Redis: a payload that is not `{ exchangeRef: string }` is refused. */
export function isPayload(data: unknown): data is { exchangeRef: string } {
  return (
    typeof data === 'object' &&
    data !== null &&
    typeof (data as { exchangeRef?: unknown }).exchangeRef === 'string' &&
    Object.keys(data).length === 1
  );
}
