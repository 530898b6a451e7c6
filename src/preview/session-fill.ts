/**
 * The preview session store, the evidence produced at the login: request #1 created the session
 * with what produces the evidence (its `recipe`, field `await` set) and no evidence; after the login
 * matched, the pages store what the lookup produced here, or record that it found nothing.
 *
 * Both are one Lua script (like ./session-transitions.ts), so two logins racing (two tabs, a
 * double click) leave exactly one outcome: the first call clears `await` and wins; the other gets
 * `already` and shows what the first stored. The sealed content is rewritten with the evidence's
 * metadata; the bytes are sealed per evidence as at creation.
 */
import { seal } from '../infra/aead.js';
import { PRELUDE, validSessionId, type SessionContext } from './session-context.js';
import type { DecideResult, FillResult, PreviewEvidenceInput } from './session-model.js';
import { checkEvidenceIds, loadStoredContent } from './session-records.js';

// ARGV[4] = evidence ids JSON, ARGV[5] = sealed content, ARGV[6..] = field, sealed bytes pairs.
const FILL = `${PRELUDE}
if not redis.call('HGET', key, 'await') then return {'already'} end
if overdue(st) then expireNow() return {'expired'} end
if st ~= 'opened' then return {st == 'pending' and 'not-opened' or st} end
redis.call('HDEL', key, 'await')
redis.call('HSET', key, 'evids', ARGV[4], 'data', ARGV[5])
for i = 6, #ARGV, 2 do redis.call('HSET', key, ARGV[i], ARGV[i + 1]) end
return {'filled'}
`;

// The same decision as a decline of everything, with nothing to decline.
const NOTHING = `${PRELUDE}
if not redis.call('HGET', key, 'await') then return {'already'} end
if st == 'decided' then return {'already-decided'} end
if st == 'expired' then return {'expired', ''} end
if overdue(st) then return {'expired', expireNow()} end
if st == 'pending' then return {'not-opened'} end
redis.call('HDEL', key, 'await')
redis.call('HSET', key, 'state', 'decided', 'decidedAt', nowS, 'decision', '{"approved":[],"declined":[]}', 'nothing', '1')
redis.call('ZREM', due, sid)
redis.call('EXPIRE', key, retention)
return {'decided', release()}
`;

async function run(ctx: SessionContext, lua: string, sid: string, args: (string | Buffer)[]): Promise<string[]> {
  return (await ctx.redis.eval(
    lua,
    3,
    ctx.keys.session(sid),
    ctx.keys.due,
    ctx.keys.released,
    String(ctx.now().getTime()),
    sid,
    String(ctx.retention),
    ...args,
  )) as string[];
}

export async function fillEvidences(
  ctx: SessionContext,
  sid: string,
  evidences: readonly PreviewEvidenceInput[],
): Promise<FillResult> {
  if (!validSessionId(sid)) return { status: 'not-found' };
  const ids = checkEvidenceIds({ evidences });
  const stored = await loadStoredContent(ctx, sid);
  if (stored === undefined)
    return { status: (await ctx.redis.exists(ctx.keys.session(sid))) ? 'expired' : 'not-found' };
  const content = {
    ...stored,
    evidences: evidences.map((e) => ({
      id: e.id,
      title: e.title,
      mimeType: e.mimeType,
      fields: e.fields,
      ...(e.extra === undefined ? {} : { extra: e.extra }),
    })),
  };
  const args: (string | Buffer)[] = [
    JSON.stringify(ids),
    seal(ctx.key, Buffer.from(JSON.stringify(content), 'utf8'), `${sid}#data`),
  ];
  for (const e of evidences) args.push(`ev:${e.id}`, seal(ctx.key, e.bytes, `${sid}#ev:${e.id}`));
  const [status = ''] = await run(ctx, FILL, sid, args);
  switch (status) {
    case 'filled':
    case 'already':
    case 'not-opened':
    case 'expired':
    case 'decided':
      return { status };
    default:
      return { status: 'not-found' };
  }
}

export async function settleNothingFound(
  ctx: SessionContext,
  sid: string,
): Promise<DecideResult | { readonly ok: false; readonly reason: 'already' }> {
  if (!validSessionId(sid)) return { ok: false, reason: 'not-found' };
  const [status = '', ref] = await run(ctx, NOTHING, sid, []);
  const released = ref === undefined || ref === '' ? undefined : ref;
  switch (status) {
    case 'decided':
      return { ok: true, releasedExchangeRef: released };
    case 'expired':
      return { ok: false, reason: 'expired', releasedExchangeRef: released };
    case 'already':
      return { ok: false, reason: 'already' };
    case 'already-decided':
      return { ok: false, reason: 'already-decided' };
    case 'not-opened':
      return { ok: false, reason: 'not-opened' };
    default:
      return { ok: false, reason: 'not-found' };
  }
}
