/**
 * The preview keyspace, in one place: only the session store (src/preview/session-*.ts) reads or
 * writes these keys; everything else goes through its operations. `prefix` is the preview
 * keyspace of src/infra/keys.ts (`keyspaces(prefix).preview`); keep a {hash tag} in it on Redis
 * Cluster, the scripts touch several keys at once.
 *
 *   s:<sid>       hash: one session (fields in src/preview/session-store.ts).
 *   x:<digest>    the session of an ebMS ExchangeId (keyed digest), v2.0 correlation.
 *   due           sorted set sid → next deadline (ms), for the expiry sweep.
 *   released      sorted set sid → release time (ms): parked request #2 refs to enqueue.
 *   byref:<ref>   the session whose approved evidence answered the exchange `ref` (request #2),
 *                 so the evidence is dropped once that answer was delivered.
 */
import { keyedDigest } from '../infra/aead.js';

export interface PreviewKeys {
  session(sessionId: string): string;
  exchangeId(exchangeId: string): string;
  readonly due: string;
  readonly released: string;
  byExchangeRef(exchangeRef: string): string;
}

export function previewKeys(prefix: string, key: Buffer): PreviewKeys {
  return {
    session: (sid) => `${prefix}s:${sid}`,
    exchangeId: (exchangeId) => `${prefix}x:${keyedDigest(key, 'preview-exchange-id', exchangeId)}`,
    due: `${prefix}due`,
    released: `${prefix}released`,
    byExchangeRef: (ref) => `${prefix}byref:${ref}`,
  };
}
