/**
 * The Redis keyspaces, in one table so that no two owners can collide. Every key the adapter
 * writes starts with QUEUE_PREFIX (on Redis Cluster it holds a {hash tag}, so one owner's keys
 * share a slot); each owner below writes only under its own keyspace.
 */
import { createHash } from 'node:crypto';

export interface Keyspaces {
  /** Exchanges, their answers and deadlines (src/store). */
  readonly store: string;
  /** The request ledger: re-sends and reused ids. */
  readonly requests: string;
  /** The versioned mapping store. */
  readonly mappings: string;
  readonly audit: string;
  /** Preview sessions and the exchanges parked for a decision: one owner, src/preview. */
  readonly preview: string;
  /** Domibus receiver locks and submission records. */
  readonly domibus: string;
  /** The DAGR token cache writes `dagr:…` below this. */
  readonly dagr: string;
  /** The connector stand-in of the embedded default. */
  readonly standin: string;
  /** State the admin API shares between api processes: the evidence of page tries (src/admin). */
  readonly admin: string;
  /** One rate limiter's counters. */
  rateLimit(name: string): string;
}

export function keyspaces(prefix: string): Keyspaces {
  return {
    store: `${prefix}:store:`,
    requests: `${prefix}:requests:`,
    mappings: `${prefix}:mappings:`,
    audit: `${prefix}:audit:`,
    preview: `${prefix}:preview:`,
    domibus: `${prefix}:domibus:`,
    dagr: `${prefix}:`,
    standin: `${prefix}:standin:`,
    admin: `${prefix}:admin:`,
    rateLimit: (name) => `${prefix}:ratelimit:${name}`,
  };
}

/** A key part for an outside identifier (message id, exchange id): fixed length, no spaces, opaque. */
export function opaqueKeyPart(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('base64url');
}
