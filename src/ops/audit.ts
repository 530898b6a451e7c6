/**
 * The audit trail: one append-only record per exchange event, kept `retentionDays` (default 365,
 * the 12 months the OOTS regulation asks), then purged. Why Redis Streams and not PostgreSQL:
 * docs/operations.md.
 *
 * A record says who asked (requester agent id), for what (evidence type, mapping id and version),
 * when, how it ended (outcome, EDM code, detail), and what was sent: the SHA-256 of each evidence
 * attachment, never the evidence. The subject is kept only as a keyed digest (HMAC-SHA-256 with a
 * key derived from the encryption key, label `audit-subject`): `bySubject(identifier)` recomputes
 * it, so a data-subject request can be answered without the trail holding the identifier.
 *
 * Keys (all under `prefix`; keep a {hash tag} in it on Redis Cluster — the record script touches
 * several keys at once):
 *   <prefix>log                 the stream; entry ids are `<ms of the record>-<seq>`, so
 *                               `XTRIM MINID` by date purges by age
 *   <prefix>by-id:<sha256(id)>  sorted set of entry ids per conversation id / request id / exchange ref
 *   <prefix>by-subject:<digest> sorted set of entry ids per subject
 *   <prefix>seen:<sha256(..)>   once-marker: a retried job records an event only once
 *   <prefix>count:<minute>      hash outcome/EDM code → count, 2 days (for the ops summary; system
 *                               checks, procedure 00, are not counted: their records say `systemCheck`)
 * The index sets expire `retentionDays` after their last write and drop members past retention
 * when written or read, so they never outlive the records they point to by more than that.
 *
 * Nothing here updates or deletes a record; only `purgeOlderThan` removes, by age.
 */
import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { keyedDigest } from '../infra/aead.js';
import type { EdmErrorCode } from '../errors.js';
import type { ExchangeSummary } from '../exchange/ports.js';
import { luaScript } from '../infra/lua-script.js';
import type { Logger } from '../infra/logger.js';

/**
 * `answered`: the adapter decided the answer; `delivered`: the connector accepted it;
 * `delivery-failed`: given up; `deferred`: the connector took a notice that the answer comes later
 * (status Unavailable, docs/deferred-answers.md), the answer being recorded when it is decided.
 */
/**
 * `preview-login`: a login to a preview passed its checks (level of assurance, power of
 * representation: the scope, never who); `preview-refused`: the login policy refused it;
 * `preview-nothing`: the record read at the login was not found, or several people fit (the reason
 * code). Recorded by the api process; not counted as answers.
 */
export type AuditEvent =
  'answered' | 'delivered' | 'delivery-failed' | 'deferred' | 'preview-login' | 'preview-refused' | 'preview-nothing';

export interface AuditEvidence {
  readonly href?: string | undefined;
  readonly mimeType: string;
  readonly bytes: Uint8Array;
}

export interface AuditInput {
  /** Default `answered`. */
  readonly event?: AuditEvent | undefined;
  /** ebMS ConversationId. */
  readonly conversationId: string;
  /** QueryRequest `@id` (undefined when the request was unreadable). */
  readonly requestId: string | undefined;
  /** The adapter's exchange reference. */
  readonly exchangeRef?: string | undefined;
  /** The evidence requester agent identifier (e.g. `urn:cef.eu:names:identifier:EAS:9930|DE73524311`). */
  readonly requester: string | undefined;
  readonly summary: ExchangeSummary;
  /** The evidence parts sent (digested here; the bytes are not stored). */
  readonly evidence?: readonly AuditEvidence[] | undefined;
  /**
   * The subject identifier as the exchange used it, normalised (e.g. the eIDAS identifier
   * `LV/DE/12048814731`, or a registration number for a company). Stored only as a keyed digest.
   */
  readonly subjectIdentifier?: string | undefined;
  /** Instead of `subjectIdentifier`: its digest (`subjectDigest`), as stored with an answer. */
  readonly subjectDigest?: string | undefined;
}

export interface AuditRecord {
  /** Stream entry id (`<ms>-<seq>`): unique and ordered. */
  readonly id: string;
  readonly event: AuditEvent;
  /** ISO time of the record. */
  readonly time: string;
  readonly conversationId: string;
  readonly requestId: string | undefined;
  readonly exchangeRef: string | undefined;
  readonly requester: string | undefined;
  readonly evidenceType: string | undefined;
  readonly mappingId: string | undefined;
  readonly mappingVersion: string | undefined;
  readonly outcome: ExchangeSummary['outcome'];
  readonly edmCode: EdmErrorCode | undefined;
  readonly detail: string | undefined;
  readonly evidence: readonly {
    readonly href?: string;
    readonly mimeType: string;
    readonly size: number;
    readonly sha256: string;
  }[];
  /** Keyed digest of the subject identifier (undefined when the exchange had none). */
  readonly subjectDigest: string | undefined;
  /** A system check (procedure 00): test traffic, left out of `countSince`. */
  readonly systemCheck: boolean;
}

export interface OutcomeCounts {
  readonly total: number;
  readonly byOutcome: Readonly<Record<string, number>>;
  readonly byEdmCode: Readonly<Record<string, number>>;
}

export interface AuditTrail {
  /** Appends a record; `duplicate` when this event of this exchange was recorded before. */
  record(entry: AuditInput): Promise<{ id: string | undefined; duplicate: boolean }>;
  /** Records of one exchange, by conversation id, request id or exchange reference, oldest first. */
  byExchange(id: string): Promise<AuditRecord[]>;
  /** Records whose subject was `subjectIdentifier` (same normalisation as `record`), oldest first. */
  bySubject(subjectIdentifier: string): Promise<AuditRecord[]>;
  /** Removes records older than `date`; returns how many. */
  purgeOlderThan(date: Date): Promise<number>;
  /** Removes records past the retention period. */
  purgeExpired(): Promise<number>;
  /** Every record from `from` to `to` (inclusive, by record time), oldest first, in pages. */
  iterate(opts?: { readonly from?: Date; readonly to?: Date; readonly pageSize?: number }): AsyncGenerator<AuditRecord>;
  /** `answered` records per outcome and EDM code since `since` (minute resolution). */
  countSince(since: Date): Promise<OutcomeCounts>;
  /** Purges expired records now and every `intervalMs` (default 1 h) until `stop()`. */
  startPurger(opts?: { readonly intervalMs?: number; readonly logger?: Logger }): { stop(): void };
  /** The digest `bySubject` looks for (for tests and the docs). */
  subjectDigest(subjectIdentifier: string): string;
}

export interface AuditTrailOptions {
  /** Key prefix, e.g. `{oots}:audit:`. */
  readonly prefix: string;
  /** The encryption key (config); the subject digest key is derived from it. */
  readonly key: Buffer;
  /** Default 365. */
  readonly retentionDays?: number;
  readonly now?: () => Date;
}

const DAY_MS = 86_400_000;
const COUNT_TTL_SECONDS = 2 * 86_400;

// KEYS: stream, once-marker, count bucket, index sets...
// ARGV: ms, retention s, count ttl s, outcome ('' = do not count), edm code, cutoff ms, then field/value pairs.
const RECORD = `
if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[2]) then return false end
local ms = tonumber(ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 1 then
  local info = redis.call('XINFO', 'STREAM', KEYS[1])
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then
      local last = tonumber(string.match(info[i + 1], '^(%d+)'))
      if last > ms then ms = last end
    end
  end
end
local fields = {}
for i = 7, #ARGV do fields[#fields + 1] = ARGV[i] end
local id = redis.call('XADD', KEYS[1], string.format('%d', ms) .. '-*', unpack(fields))
for i = 4, #KEYS do
  redis.call('ZADD', KEYS[i], ms, id)
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', '(' .. ARGV[6])
  redis.call('EXPIRE', KEYS[i], ARGV[2])
end
if ARGV[4] ~= '' then
  redis.call('HINCRBY', KEYS[3], 'o:' .. ARGV[4], 1)
  if ARGV[5] ~= '' then redis.call('HINCRBY', KEYS[3], 'e:' .. ARGV[5], 1) end
  redis.call('EXPIRE', KEYS[3], ARGV[3])
end
return id
`;

const RECORD_SCRIPT = luaScript(RECORD);

function sha256(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

/** The canonical form digested for a subject: trimmed, inner spaces removed, upper case. */
export function canonicalSubject(identifier: string): string {
  return identifier.replace(/\s+/g, '').toUpperCase();
}

type Fields = Record<string, string>;

function toFields(raw: string[]): Fields {
  const out: Fields = {};
  for (let i = 0; i + 1 < raw.length; i += 2) out[raw[i]!] = raw[i + 1]!;
  return out;
}

function opt(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}

function toRecord(id: string, f: Fields): AuditRecord {
  return {
    id,
    event: (f.event ?? 'answered') as AuditEvent,
    time: f.time ?? new Date(Number(id.split('-')[0])).toISOString(),
    conversationId: f.conversationId ?? '',
    requestId: opt(f.requestId),
    exchangeRef: opt(f.exchangeRef),
    requester: opt(f.requester),
    evidenceType: opt(f.evidenceType),
    mappingId: opt(f.mappingId),
    mappingVersion: opt(f.mappingVersion),
    outcome: (f.outcome ?? 'error') as ExchangeSummary['outcome'],
    edmCode: opt(f.edmCode) as EdmErrorCode | undefined,
    detail: opt(f.detail),
    evidence: f.evidence === undefined ? [] : (JSON.parse(f.evidence) as AuditRecord['evidence']),
    subjectDigest: opt(f.subject),
    systemCheck: f.systemCheck === '1',
  };
}

export function createAuditTrail(redis: Redis | Cluster, opts: AuditTrailOptions): AuditTrail {
  const now = opts.now ?? (() => new Date());
  const retentionDays = opts.retentionDays ?? 365;
  if (!(retentionDays >= 1)) throw new RangeError('retentionDays must be at least 1');
  const retentionMs = retentionDays * DAY_MS;
  const retentionSeconds = retentionDays * 86_400;
  const stream = `${opts.prefix}log`;
  const idKey = (id: string): string => `${opts.prefix}by-id:${sha256(id)}`;
  const subjectDigest = (identifier: string): string =>
    keyedDigest(opts.key, 'audit-subject', canonicalSubject(identifier));
  const subjectKey = (digest: string): string => `${opts.prefix}by-subject:${digest}`;
  const countKey = (minute: number): string => `${opts.prefix}count:${minute}`;

  async function load(indexKey: string): Promise<AuditRecord[]> {
    const cutoff = now().getTime() - retentionMs;
    await redis.zremrangebyscore(indexKey, '-inf', `(${cutoff}`);
    const ids = await redis.zrange(indexKey, '0', '-1');
    if (ids.length === 0) return [];
    const pipe = redis.pipeline();
    for (const id of ids) pipe.xrange(stream, id, id);
    const results = (await pipe.exec()) ?? [];
    const out: AuditRecord[] = [];
    for (const [err, rows] of results) {
      if (err !== null) throw err;
      // A purged entry is simply gone; its index member goes with the set's expiry.
      for (const [id, raw] of rows as [string, string[]][]) out.push(toRecord(id, toFields(raw)));
    }
    return out.sort((a, b) => compareIds(a.id, b.id));
  }

  const trail: AuditTrail = {
    subjectDigest,

    async record(entry) {
      const event = entry.event ?? 'answered';
      const at = now();
      const ms = at.getTime();
      const s = entry.summary;
      const evidence = (entry.evidence ?? []).map((e) => ({
        ...(e.href === undefined ? {} : { href: e.href }),
        mimeType: e.mimeType,
        size: e.bytes.byteLength,
        sha256: createHash('sha256').update(e.bytes).digest('hex'),
      }));
      const digest =
        entry.subjectIdentifier === undefined ? entry.subjectDigest : subjectDigest(entry.subjectIdentifier);
      const fields: [string, string | undefined][] = [
        ['v', '1'],
        ['event', event],
        ['time', at.toISOString()],
        ['conversationId', entry.conversationId],
        ['requestId', entry.requestId],
        ['exchangeRef', entry.exchangeRef],
        ['requester', entry.requester],
        ['evidenceType', s.evidenceType],
        ['mappingId', s.mappingId],
        ['mappingVersion', s.mappingVersion],
        ['outcome', s.outcome],
        ['edmCode', s.edmCode],
        ['detail', s.detail],
        ['evidence', evidence.length === 0 ? undefined : JSON.stringify(evidence)],
        ['subject', digest],
        ['systemCheck', s.systemCheck === true ? '1' : undefined],
      ];
      const flat = fields.filter((f): f is [string, string] => f[1] !== undefined && f[1] !== '').flat();
      const ids = new Set([entry.conversationId, entry.requestId, entry.exchangeRef].filter((x): x is string => !!x));
      const indexKeys = [...ids].map(idKey);
      if (digest !== undefined) indexKeys.push(subjectKey(digest));
      const once = `${opts.prefix}seen:${sha256([event, entry.exchangeRef ?? '', entry.conversationId, entry.requestId ?? ''].join('\u0000'))}`;
      const id = (await RECORD_SCRIPT.run(
        redis,
        [stream, once, countKey(Math.floor(ms / 60_000)), ...indexKeys],
        [
          String(ms),
          String(retentionSeconds),
          String(COUNT_TTL_SECONDS),
          // Test traffic (procedure 00) stays out of the production counts.
          event === 'answered' && s.systemCheck !== true ? s.outcome : '',
          s.edmCode ?? '',
          String(ms - retentionMs),
          ...flat,
        ],
      )) as string | null;
      return id === null ? { id: undefined, duplicate: true } : { id, duplicate: false };
    },

    byExchange: (id) => load(idKey(id)),
    bySubject: (identifier) => load(subjectKey(subjectDigest(identifier))),

    async purgeOlderThan(date) {
      return redis.xtrim(stream, 'MINID', String(date.getTime()));
    },

    purgeExpired() {
      return trail.purgeOlderThan(new Date(now().getTime() - retentionMs));
    },

    async *iterate(iopts = {}) {
      const pageSize = iopts.pageSize ?? 500;
      let start = iopts.from === undefined ? '-' : String(iopts.from.getTime());
      const end = iopts.to === undefined ? '+' : String(iopts.to.getTime());
      for (;;) {
        const rows = (await redis.xrange(stream, start, end, 'COUNT', pageSize)) as [string, string[]][];
        for (const [id, raw] of rows) yield toRecord(id, toFields(raw));
        if (rows.length < pageSize) return;
        start = `(${rows[rows.length - 1]![0]}`;
      }
    },

    async countSince(since) {
      const first = Math.floor(since.getTime() / 60_000);
      const last = Math.floor(now().getTime() / 60_000);
      const pipe = redis.pipeline();
      for (let m = first; m <= last; m++) pipe.hgetall(countKey(m));
      const results = (await pipe.exec()) ?? [];
      const byOutcome: Record<string, number> = {};
      const byEdmCode: Record<string, number> = {};
      let total = 0;
      for (const [err, h] of results) {
        if (err !== null) throw err;
        for (const [k, v] of Object.entries(h as Record<string, string>)) {
          const n = Number(v);
          if (k.startsWith('o:')) {
            byOutcome[k.slice(2)] = (byOutcome[k.slice(2)] ?? 0) + n;
            total += n;
          } else if (k.startsWith('e:')) byEdmCode[k.slice(2)] = (byEdmCode[k.slice(2)] ?? 0) + n;
        }
      }
      return { total, byOutcome, byEdmCode };
    },

    startPurger(popts = {}) {
      const run = (): void => {
        trail.purgeExpired().then(
          (n) => {
            if (n > 0) popts.logger?.info({ audit: { purged: n } }, 'audit records past retention purged');
          },
          (err: unknown) =>
            popts.logger?.warn({ err: err instanceof Error ? err.message : String(err) }, 'audit purge failed'),
        );
      };
      const timer = setInterval(run, popts.intervalMs ?? 3_600_000);
      timer.unref();
      run();
      return { stop: () => clearInterval(timer) };
    },
  };
  return trail;
}

function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number) as [number, number];
  const [bm, bs] = b.split('-').map(Number) as [number, number];
  return am - bm || as - bs;
}
