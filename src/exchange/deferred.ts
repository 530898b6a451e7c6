/**
 * Deferred answers: the base registry accepted the lookup but prepares the record later (a clerk,
 * a nightly batch; DAGR answers HTTP 202 with `Retry-After`). The requester then gets a
 * `QueryResponse` with status `Unavailable` and `ResponseAvailableDateTime` (R-EDM-RESP-S006,
 * S014, S023, C005: in the v1.0 Schematron, and unchanged in 1.2 and 2.0, notes §3 "Other
 * outcomes"), and later, in the same exchange, the full answer. The worker asks again at that time
 * (src/worker/refetch.ts); this module only decides, and builds the notice.
 *
 * A time we cannot keep is never promised: when the record is ready only at or after the answer
 * deadline, the answer is EDM:ERR:0005 at once (the requester would otherwise wait for a promise
 * broken by the deadline's own EDM:ERR:0005).
 */
import { buildDeferredResponse, requestEcho } from '../edm/build/index.js';
import type { QueryRequest } from '../edm/model.js';
import type { UserMessage } from '../ebms/model.js';
import type { EvidenceMapping } from '../mapping/model.js';
import { Refusal } from './refusal.js';
import { finish, partiesOf, summary, type ExchangeResult, type ReplyDeps } from './reply.js';

/** Thrown by the lookup step when the record is still being prepared (DagrLookupResult `deferred`). */
export class DeferredLookup extends Error {
  override readonly name = 'DeferredLookup';
  constructor(readonly retryAt: Date) {
    super('the base registry prepares the record later');
  }
}

export type DeferralDecision =
  { readonly kind: 'defer'; readonly availableAt: Date } | { readonly kind: 'too-late'; readonly detail: string };

/**
 * Whether a record ready at `retryAt` can be promised: only strictly before the answer deadline.
 * A time already past becomes now (the worker asks again at once).
 */
export function decideDeferral(
  retryAt: Date,
  now: Date,
  deadline: { readonly at: Date; readonly basis: string } | undefined,
): DeferralDecision {
  const availableAt = new Date(Math.max(retryAt.getTime(), now.getTime()));
  if (deadline !== undefined && availableAt.getTime() >= deadline.at.getTime()) {
    return {
      kind: 'too-late',
      detail: `the base registry prepares the record until ${availableAt.toISOString()}, not before the answer deadline (${deadline.basis})`,
    };
  }
  return { kind: 'defer', availableAt };
}

/** The notice: status Unavailable, `ResponseAvailableDateTime`, no evidence; summary outcome `deferred`. */
export function deferredAnswer(
  um: UserMessage,
  request: QueryRequest,
  mapping: EvidenceMapping | undefined,
  availableAt: Date,
  replyDeps: ReplyDeps,
): ExchangeResult {
  const deps: ReplyDeps = { ...replyDeps, uuid: replyDeps.noticeUuid ?? replyDeps.uuid };
  const regrep = buildDeferredResponse({
    ...requestEcho(request),
    responseId: deps.uuid(),
    issueDateTime: deps.now().toISOString(),
    evidenceProvider: { ...deps.provider, classification: 'EP' },
    responseAvailableDateTime: availableAt.toISOString(),
  });
  const outcome = summary('deferred', undefined, request, mapping, `available at ${availableAt.toISOString()}`);
  const result = finish(
    um,
    request.version,
    'ExecuteQueryResponse',
    regrep,
    [],
    deps,
    outcome,
    request.id,
    partiesOf(request, um),
  );
  return { ...result, deferredUntil: availableAt };
}

/**
 * The deferral a mapping declares (`deferral.afterSeconds`): the first run promises now +
 * afterSeconds; a run before the promised time (a re-run) keeps that same time; from it on, the
 * lookup is made (undefined).
 */
export async function declaredDeferral(
  mapping: EvidenceMapping,
  dueAt: (() => Promise<Date | undefined>) | undefined,
  now: Date,
): Promise<Date | undefined> {
  if (mapping.deferral === undefined) return undefined;
  const promised = await dueAt?.();
  if (promised !== undefined) return promised.getTime() <= now.getTime() ? undefined : promised;
  return new Date(now.getTime() + mapping.deferral.afterSeconds * 1000);
}

/**
 * Runs the lookup step (or first the deferral the mapping declares); a record still being prepared becomes the deferred notice, or EDM:ERR:0005
 * (a thrown Refusal) when it would come too late.
 */
export async function produceOrDefer<T>(
  produce: () => Promise<T>,
  at: {
    readonly um: UserMessage;
    readonly request: QueryRequest;
    readonly mapping: EvidenceMapping;
    readonly deadline: { readonly at: Date; readonly basis: string } | undefined;
    /** When this exchange was promised an answer before (AnswerOptions.deferredUntil). */
    readonly dueAt?: (() => Promise<Date | undefined>) | undefined;
  },
  deps: ReplyDeps,
): Promise<
  { readonly kind: 'produced'; readonly value: T } | { readonly kind: 'deferred'; readonly result: ExchangeResult }
> {
  try {
    const declared = await declaredDeferral(at.mapping, at.dueAt, deps.now());
    if (declared !== undefined) throw new DeferredLookup(declared);
    return { kind: 'produced', value: await produce() };
  } catch (error) {
    if (!(error instanceof DeferredLookup)) throw error;
    const decision = decideDeferral(error.retryAt, deps.now(), at.deadline);
    if (decision.kind === 'too-late') throw new Refusal('EDM:ERR:0005', decision.detail);
    return { kind: 'deferred', result: deferredAnswer(at.um, at.request, at.mapping, decision.availableAt, deps) };
  }
}
