/**
 * The preview session store, its transitions: opening, the decision, expiry, request #2's
 * correlation, and the outbox of released request #2 refs. Each transition is one script of
 * ./session-context.ts, so they may race in any order (see ./session-store.ts).
 */
import { AdapterError } from '../errors.js';
import { ATTACH, DECIDE, EXPIRE, OPEN, runTransition, validSessionId, type SessionContext } from './session-context.js';
import type { AttachResult, DecideResult, PreviewDecision, PreviewState, ReleasedRequest } from './session-model.js';

const refOrUndefined = (s: string | undefined): string | undefined => (s === undefined || s === '' ? undefined : s);

export async function markOpened(ctx: SessionContext, sid: string): Promise<PreviewState | undefined> {
  if (!validSessionId(sid)) return undefined;
  const [st] = await runTransition(ctx, OPEN, sid, [ctx.opts.t3Seconds]);
  return st === 'not-found' ? undefined : (st as PreviewState);
}

/** The decision with the session's evidence ids in order; undefined unless every one is chosen once. */
function normalisedDecision(ids: readonly string[], decision: PreviewDecision): PreviewDecision | undefined {
  const chosen = [...decision.approved, ...decision.declined];
  if (chosen.length !== ids.length || new Set(chosen).size !== ids.length || !chosen.every((id) => ids.includes(id)))
    return undefined;
  return {
    approved: ids.filter((id) => decision.approved.includes(id)),
    declined: ids.filter((id) => decision.declined.includes(id)),
  };
}

export async function decide(
  ctx: SessionContext,
  sid: string,
  decision: PreviewDecision,
  at?: Date,
): Promise<DecideResult> {
  if (!validSessionId(sid)) return { ok: false, reason: 'not-found' };
  const evids = await ctx.redis.hget(ctx.keys.session(sid), 'evids');
  if (evids === null) return { ok: false, reason: 'not-found' };
  const normalised = normalisedDecision(JSON.parse(evids) as string[], decision);
  if (normalised === undefined) return { ok: false, reason: 'invalid-decision' };
  const args = [JSON.stringify(normalised), ...normalised.declined];
  const reply = await runTransition(ctx, DECIDE, sid, args, at?.getTime());
  switch (reply[0] ?? '') {
    case 'decided':
      return { ok: true, releasedExchangeRef: refOrUndefined(reply[1]) };
    case 'expired':
      return { ok: false, reason: 'expired', releasedExchangeRef: refOrUndefined(reply[1]) };
    case 'not-found':
      return { ok: false, reason: 'not-found' };
    case 'not-opened':
      return { ok: false, reason: 'not-opened' };
    case 'already-decided':
      return { ok: false, reason: 'already-decided' };
    default:
      throw new AdapterError('ERR_PREVIEW_INPUT', `unexpected preview store reply ${String(reply[0])}`);
  }
}

export async function expire(
  ctx: SessionContext,
  sid: string,
): Promise<{ expired: boolean; releasedExchangeRef: string | undefined }> {
  if (!validSessionId(sid)) return { expired: false, releasedExchangeRef: undefined };
  const [st, ref] = await runTransition(ctx, EXPIRE, sid, ['0']);
  return { expired: st === 'expired', releasedExchangeRef: refOrUndefined(ref) };
}

export async function attachRequest(
  ctx: SessionContext,
  sid: string,
  exchangeRef: string,
  park: boolean,
): Promise<AttachResult> {
  if (!validSessionId(sid)) return { status: 'not-found' };
  const reply = await runTransition(ctx, ATTACH, sid, [exchangeRef, park ? '1' : '0']);
  switch (reply[0] ?? '') {
    case 'decided':
      return { status: 'decided', decision: JSON.parse(reply[1]!) as PreviewDecision };
    case 'expired':
      return { status: 'expired' };
    case 'parked':
      return { status: 'parked' };
    case 'duplicate':
      return { status: 'duplicate', ownerRef: reply[1]! };
    default:
      return { status: 'not-found' };
  }
}

export async function sweepExpired(
  ctx: SessionContext,
  limit: number,
): Promise<{ expired: string[]; released: ReleasedRequest[] }> {
  const { redis, keys } = ctx;
  const due = await redis.zrangebyscore(keys.due, '-inf', String(ctx.now().getTime()), 'LIMIT', 0, limit);
  const expired: string[] = [];
  const released: ReleasedRequest[] = [];
  for (const sid of due) {
    const [st, ref] = await runTransition(ctx, EXPIRE, sid, ['1']);
    if (st === 'not-found') await redis.zrem(keys.due, sid);
    if (st !== 'expired') continue;
    expired.push(sid);
    if (ref !== undefined && ref !== '') released.push({ sessionId: sid, exchangeRef: ref });
  }
  return { expired, released };
}

export async function listReleased(
  ctx: SessionContext,
  olderThanMs: number,
  limit: number,
): Promise<ReleasedRequest[]> {
  const { redis, keys } = ctx;
  const max = String(ctx.now().getTime() - olderThanMs);
  const sids = await redis.zrangebyscore(keys.released, '-inf', max, 'LIMIT', 0, limit);
  const out: ReleasedRequest[] = [];
  for (const sid of sids) {
    const ref = await redis.hget(keys.session(sid), 'released');
    if (ref === null) await redis.zrem(keys.released, sid);
    else out.push({ sessionId: sid, exchangeRef: ref });
  }
  return out;
}

export async function ackReleased(ctx: SessionContext, sid: string): Promise<void> {
  await ctx.redis.zrem(ctx.keys.released, sid);
}
