/**
 * The preview session store, its records: creating a session, reading it back (sealed content,
 * evidence bytes, return address), finding it by PreviewLocation or ExchangeId, and dropping the
 * evidence. The state transitions are in ./session-transitions.ts.
 */
import { open, seal } from '../infra/aead.js';
import type { EdmVersion, NaturalPerson, Subject } from '../edm/model.js';
import type { PreviewLoginPolicy } from '../exchange/ports.js';
import { validSessionId, type SessionContext } from './session-context.js';
import {
  effectiveState,
  EVIDENCE_ID,
  newSessionId,
  PreviewInputError,
  type CreatePreviewInput,
  type LocalText,
  type PreviewContent,
  type PreviewDecision,
  type PreviewEvidence,
  type PreviewSession,
  type PreviewState,
} from './session-model.js';

export interface StoredContent {
  readonly v: 1;
  readonly exchangeRef: string;
  readonly subject: Subject;
  readonly representative?: NaturalPerson;
  readonly evidences: readonly PreviewEvidence[];
  readonly previewDescription?: LocalText;
  readonly requester?: string;
  readonly exchangeId?: string;
  readonly requestId: string;
  readonly conversationId: string;
  readonly extra?: unknown;
  readonly login?: PreviewLoginPolicy;
  readonly recipe?: unknown;
}

function baseUrl(ctx: SessionContext): string {
  const baseOf = ctx.opts.publicBaseUrl;
  return (typeof baseOf === 'function' ? baseOf() : baseOf).replace(/\/+$/, '');
}

export function checkEvidenceIds(input: Pick<CreatePreviewInput, 'evidences' | 'recipe'>): string[] {
  if (input.evidences.length === 0 && input.recipe === undefined)
    throw new PreviewInputError('a preview session needs at least one evidence, or what produces it at the login');
  if (input.evidences.length > 0 && input.recipe !== undefined)
    throw new PreviewInputError('a preview session is created either with its evidence or with its recipe');
  const ids = input.evidences.map((e) => e.id);
  for (const id of ids)
    if (!EVIDENCE_ID.test(id)) throw new PreviewInputError('evidence id must match [A-Za-z0-9._:-]{1,128}');
  if (new Set(ids).size !== ids.length) throw new PreviewInputError('evidence ids must be unique in a session');
  return ids;
}

export function storedContent(input: CreatePreviewInput): StoredContent {
  return {
    v: 1,
    exchangeRef: input.exchangeRef,
    subject: input.subject,
    ...(input.representative === undefined ? {} : { representative: input.representative }),
    evidences: input.evidences.map((e) => ({
      id: e.id,
      title: e.title,
      mimeType: e.mimeType,
      fields: e.fields,
      ...(e.extra === undefined ? {} : { extra: e.extra }),
    })),
    ...(input.previewDescription === undefined ? {} : { previewDescription: input.previewDescription }),
    ...(input.requester === undefined ? {} : { requester: input.requester }),
    ...(input.exchangeId === undefined ? {} : { exchangeId: input.exchangeId }),
    requestId: input.requestId,
    conversationId: input.conversationId,
    ...(input.extra === undefined ? {} : { extra: input.extra }),
    ...(input.login === undefined ? {} : { login: input.login }),
    ...(input.recipe === undefined ? {} : { recipe: input.recipe }),
  };
}

export async function createSession(
  ctx: SessionContext,
  input: CreatePreviewInput,
): Promise<{ sessionId: string; location: string }> {
  const { key, keys, opts } = ctx;
  const ids = checkEvidenceIds(input);
  const sid = newSessionId();
  const location = `${baseUrl(ctx)}/preview/${sid}`;
  const at = ctx.now().getTime();
  const t2At = at + opts.t2Seconds * 1000;
  const ttl = opts.t2Seconds + opts.t3Seconds + ctx.retention;
  const fields: (string | Buffer)[] = [
    'state',
    'pending',
    'version',
    input.version,
    'createdAt',
    String(at),
    't2At',
    String(t2At),
    'location',
    location,
    'evids',
    JSON.stringify(ids),
    'data',
    seal(key, Buffer.from(JSON.stringify(storedContent(input)), 'utf8'), `${sid}#data`),
  ];
  if (input.recipe !== undefined) fields.push('await', '1');
  for (const e of input.evidences) fields.push(`ev:${e.id}`, seal(key, e.bytes, `${sid}#ev:${e.id}`));
  const tx = ctx.redis
    .multi()
    .hset(keys.session(sid), ...fields)
    .expire(keys.session(sid), ttl)
    .zadd(keys.due, String(t2At), sid);
  if (input.exchangeId !== undefined) tx.set(keys.exchangeId(input.exchangeId), sid, 'EX', ttl);
  const replies = await tx.exec();
  for (const [err] of replies ?? []) if (err) throw err;
  return { sessionId: sid, location };
}

/** The sealed content as stored (undefined once expired or purged). */
export async function loadStoredContent(ctx: SessionContext, sid: string): Promise<StoredContent | undefined> {
  const sealed = await ctx.redis.hgetBuffer(ctx.keys.session(sid), 'data');
  if (sealed === null) return undefined;
  return JSON.parse(open(ctx.key, sealed, `${sid}#data`).toString('utf8')) as StoredContent;
}

async function loadContent(ctx: SessionContext, sid: string): Promise<PreviewContent | undefined> {
  const c = await loadStoredContent(ctx, sid);
  if (c === undefined) return undefined;
  return {
    exchangeRef: c.exchangeRef,
    subject: c.subject,
    representative: c.representative,
    evidences: c.evidences,
    previewDescription: c.previewDescription,
    requester: c.requester,
    exchangeId: c.exchangeId,
    requestId: c.requestId,
    conversationId: c.conversationId,
    extra: c.extra,
    login: c.login,
    recipe: c.recipe,
  };
}

export async function getSession(ctx: SessionContext, sid: string): Promise<PreviewSession | undefined> {
  if (!validSessionId(sid)) return undefined;
  const sk = ctx.keys.session(sid);
  const [state, version, createdAt, t2At, t3At, openedAt, decidedAt, expiredAt, location, evids, decision, wait, none] =
    await ctx.redis.hmget(
      sk,
      'state',
      'version',
      'createdAt',
      't2At',
      't3At',
      'openedAt',
      'decidedAt',
      'expiredAt',
      'location',
      'evids',
      'decision',
      'await',
      'nothing',
    );
  if (state === null || state === undefined) return undefined;
  const retSealed = await ctx.redis.hgetBuffer(sk, 'ret');
  const t3 = t3At == null ? undefined : Number(t3At);
  const date = (v: string | null | undefined): Date | undefined => (v == null ? undefined : new Date(Number(v)));
  return {
    sessionId: sid,
    state: effectiveState(state as PreviewState, Number(t2At), t3, ctx.now().getTime()),
    version: version as EdmVersion,
    location: location ?? '',
    evidenceIds: evids == null ? [] : (JSON.parse(evids) as string[]),
    createdAt: new Date(Number(createdAt)),
    openedAt: date(openedAt),
    decidedAt: date(decidedAt),
    expiredAt: date(expiredAt),
    openBy: new Date(Number(t2At)),
    decideBy: t3 === undefined ? undefined : new Date(t3),
    decision: decision == null ? undefined : (JSON.parse(decision) as PreviewDecision),
    returnLocation: retSealed === null ? undefined : open(ctx.key, retSealed, `${sid}#ret`).toString('utf8'),
    content: await loadContent(ctx, sid),
    awaitingEvidence: wait != null,
    nothingFound: none != null,
  };
}

export async function sessionState(ctx: SessionContext, sid: string): Promise<PreviewState | undefined> {
  if (!validSessionId(sid)) return undefined;
  const [state, t2At, t3At] = await ctx.redis.hmget(ctx.keys.session(sid), 'state', 't2At', 't3At');
  if (state == null) return undefined;
  return effectiveState(
    state as PreviewState,
    Number(t2At),
    t3At == null ? undefined : Number(t3At),
    ctx.now().getTime(),
  );
}

export async function evidenceBytes(ctx: SessionContext, sid: string, id: string): Promise<Uint8Array | undefined> {
  if (!validSessionId(sid) || !EVIDENCE_ID.test(id)) return undefined;
  const sealed = await ctx.redis.hgetBuffer(ctx.keys.session(sid), `ev:${id}`);
  return sealed === null ? undefined : open(ctx.key, sealed, `${sid}#ev:${id}`);
}

export async function approvedEvidences(
  ctx: SessionContext,
  sid: string,
): Promise<(PreviewEvidence & { bytes: Uint8Array })[]> {
  const session = await getSession(ctx, sid);
  if (session?.decision === undefined || session.content === undefined) return [];
  const out: (PreviewEvidence & { bytes: Uint8Array })[] = [];
  for (const e of session.content.evidences) {
    if (!session.decision.approved.includes(e.id)) continue;
    const bytes = await evidenceBytes(ctx, sid, e.id);
    if (bytes !== undefined) out.push({ ...e, bytes });
  }
  return out;
}

export async function setReturnLocation(ctx: SessionContext, sid: string, url: string): Promise<boolean> {
  const sk = ctx.keys.session(sid);
  if (!validSessionId(sid) || !(await ctx.redis.exists(sk))) return false;
  await ctx.redis.hset(sk, 'ret', seal(ctx.key, Buffer.from(url, 'utf8'), `${sid}#ret`));
  return true;
}

export async function findByLocation(ctx: SessionContext, previewLocation: string): Promise<string | undefined> {
  const m = /\/preview\/([A-Za-z0-9_-]{43})$/.exec(previewLocation.trim());
  if (!m) return undefined;
  const sid = m[1]!;
  const stored = await ctx.redis.hget(ctx.keys.session(sid), 'location');
  return stored !== null && stored === previewLocation.trim() ? sid : undefined;
}

export async function findByExchangeId(ctx: SessionContext, exchangeId: string): Promise<string | undefined> {
  return (await ctx.redis.get(ctx.keys.exchangeId(exchangeId))) ?? undefined;
}

export async function purgeEvidence(ctx: SessionContext, sid: string): Promise<void> {
  if (!validSessionId(sid)) return;
  const sk = ctx.keys.session(sid);
  const evids = await ctx.redis.hget(sk, 'evids');
  const ids = evids === null ? [] : (JSON.parse(evids) as string[]);
  await ctx.redis.hdel(sk, 'data', ...ids.map((id) => `ev:${id}`));
}

export async function linkExchange(
  ctx: SessionContext,
  exchangeRef: string,
  sid: string,
  ttlSeconds: number,
): Promise<void> {
  await ctx.redis.set(ctx.keys.byExchangeRef(exchangeRef), sid, 'EX', ttlSeconds);
}

export async function purgeAfterDelivery(ctx: SessionContext, exchangeRef: string): Promise<void> {
  const sid = await ctx.redis.get(ctx.keys.byExchangeRef(exchangeRef));
  if (sid === null) return;
  await purgeEvidence(ctx, sid);
  await ctx.redis.del(ctx.keys.byExchangeRef(exchangeRef));
}
