/**
 * Changing the mapping store: uploads, activation, deactivation and roll-back, one at a time under
 * the writer lock; every change is one MULTI that also bumps the stamp, then is published.
 */
import { withLock } from '../infra/lock.js';
import { AdapterError } from '../errors.js';
import {
  evidenceTypeConflicts,
  rollbackTarget,
  storeVersion,
  type HistoryAction,
  type HistoryEvent,
  type StoredRevision,
} from '../mapping/versions.js';
import { checkMapping, parseStored, sha256, type RedisLike, type StoreContext } from './mapping-store-context.js';
import { otherActive, readState } from './mapping-store-read.js';
import type { ChangeResult, UploadInput, UploadResult } from './mapping-store-types.js';

export function locked<T>(s: StoreContext, fn: () => Promise<T>): Promise<T> {
  const onBusy = (): Error =>
    new AdapterError('ERR_REDIS_UNAVAILABLE', 'the mapping store is busy with another change; try again');
  return withLock(s.redis, s.k.lock, { ttlMs: 15_000, waitMs: s.lockWaitMs, onBusy }, fn);
}

async function commit(
  s: StoreContext,
  id: string,
  action: HistoryAction,
  build: (multi: ReturnType<RedisLike['multi']>) => void,
): Promise<void> {
  const multi = s.redis.multi();
  build(multi);
  multi.incr(s.k.stamp);
  const results = await multi.exec();
  if (results === null) throw new AdapterError('ERR_REDIS_UNAVAILABLE', 'the mapping store change was not applied');
  for (const [error] of results)
    if (error !== null)
      throw new AdapterError('ERR_REDIS_UNAVAILABLE', `the mapping store change failed: ${error.message}`, {
        cause: error,
      });
  const stamp = Number(results[results.length - 1]![1]);
  await s.redis.publish(s.channel, JSON.stringify({ stamp, id, action }));
}

function event(
  s: StoreContext,
  action: HistoryAction,
  actor: string,
  revision: number | undefined,
  from?: number,
): string {
  return JSON.stringify({
    at: s.now().toISOString(),
    action,
    revision,
    actor,
    ...(from === undefined ? {} : { from }),
  } satisfies HistoryEvent);
}

export async function setActive(
  s: StoreContext,
  id: string,
  target: number,
  actor: string,
  action: 'activated' | 'rolled-back',
): Promise<ChangeResult> {
  const state = await readState(s, id);
  if (state === undefined) return { ok: false, reason: 'not-found', detail: `no mapping ${id}` };
  const rev = state.revisions.find((r) => r.revision === target);
  if (rev === undefined)
    return { ok: false, reason: 'not-found', detail: `mapping ${id} has no revision ${String(target)}` };
  const version = storeVersion(rev.fileVersion, rev.revision);
  if (state.active === target) return { ok: true, id, active: target, version, changed: false };
  const text = await s.redis.hget(s.k.rev(id, target), 'text');
  const m = text === null ? undefined : parseStored(s, id, target, text).mapping;
  if (m === undefined)
    return {
      ok: false,
      reason: 'not-found',
      detail: `revision ${String(target)} of ${id} no longer passes the checks`,
    };
  const conflicts = evidenceTypeConflicts(m, await otherActive(s, id));
  if (conflicts.length > 0)
    return { ok: false, reason: 'conflict', detail: conflicts.map((c) => c.message).join('; '), problems: conflicts };
  await commit(s, id, action, (multi) => {
    multi.hset(s.k.head(id), 'active', String(target));
    multi.rpush(s.k.log(id), event(s, action, actor, target, action === 'rolled-back' ? state.active : undefined));
  });
  return { ok: true, id, active: target, version, changed: true };
}

export async function upload(s: StoreContext, input: UploadInput): Promise<UploadResult> {
  const checked = checkMapping(s, input.id, input.text, input.fileName);
  if (!checked.ok) return { ok: false, reason: 'invalid', problems: checked.problems };
  const mode = input.activate ?? 'no';
  const digest = sha256(input.text);
  return locked(s, async (): Promise<UploadResult> => {
    const [existing, head] = await Promise.all([
      s.redis.hget(s.k.digests(input.id), digest),
      s.redis.hgetall(s.k.head(input.id)),
    ]);
    const active = head['active'] === undefined || head['active'] === '' ? undefined : Number(head['active']);
    const revision = existing !== null ? Number(existing) : Number(head['head'] ?? '0') + 1;
    const activate = mode === 'yes' || (mode === 'when-none-active' && active === undefined);
    if (activate && active !== revision) {
      const conflicts = evidenceTypeConflicts(checked.mapping, await otherActive(s, input.id));
      if (conflicts.length > 0) return { ok: false, reason: 'conflict', problems: conflicts };
    }
    const created = existing === null;
    const nowActive = activate ? revision : active;
    if (created || (activate && active !== revision)) {
      const meta: StoredRevision = {
        revision,
        fileVersion: checked.mapping.version,
        digest,
        uploadedAt: s.now().toISOString(),
        uploadedBy: input.actor,
        source: input.source ?? 'upload',
      };
      await commit(s, input.id, created ? (meta.source === 'file' ? 'imported' : 'uploaded') : 'activated', (multi) => {
        if (created) {
          multi.hset(s.k.rev(input.id, revision), 'text', input.text, 'meta', JSON.stringify(meta));
          multi.hset(s.k.digests(input.id), digest, String(revision));
          multi.hset(s.k.head(input.id), 'head', String(revision));
          multi.sadd(s.k.ids, input.id);
          multi.rpush(
            s.k.log(input.id),
            event(s, meta.source === 'file' ? 'imported' : 'uploaded', input.actor, revision),
          );
        }
        if (activate && active !== revision) {
          multi.hset(s.k.head(input.id), 'active', String(revision));
          multi.rpush(s.k.log(input.id), event(s, 'activated', input.actor, revision));
        }
      });
    }
    return {
      ok: true,
      id: input.id,
      revision,
      version: storeVersion(checked.mapping.version, revision),
      created,
      active: nowActive === revision,
    };
  });
}

export function deactivate(s: StoreContext, id: string, actor: string): Promise<ChangeResult> {
  return locked(s, async (): Promise<ChangeResult> => {
    const state = await readState(s, id);
    if (state === undefined) return { ok: false, reason: 'not-found', detail: `no mapping ${id}` };
    if (state.active === undefined) return { ok: true, id, active: undefined, version: undefined, changed: false };
    const was = state.active;
    await commit(s, id, 'deactivated', (multi) => {
      multi.hdel(s.k.head(id), 'active');
      multi.rpush(s.k.log(id), event(s, 'deactivated', actor, was));
    });
    return { ok: true, id, active: undefined, version: undefined, changed: true };
  });
}

export function rollback(s: StoreContext, id: string, actor: string, to?: number): Promise<ChangeResult> {
  return locked(s, async (): Promise<ChangeResult> => {
    const state = await readState(s, id);
    if (state === undefined) return { ok: false, reason: 'not-found', detail: `no mapping ${id}` };
    const target = to ?? rollbackTarget(state);
    if (target === undefined)
      return { ok: false, reason: 'no-target', detail: `mapping ${id} has no earlier version to roll back to` };
    return setActive(s, id, target, actor, 'rolled-back');
  });
}
