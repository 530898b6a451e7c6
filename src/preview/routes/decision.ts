/**
 * `POST /preview/:sid/decision`: approve / decline per evidence (CSRF token), then the return
 * address (303 for GET, an auto-submitting form for POST) or a "done" page.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from '../../infra/logger.js';
import type { Lang } from '../i18n.js';
import { postReturnPage } from '../pages.js';
import { checkReturn, type ReturnTarget } from '../return-url.js';
import { isSessionId, type PreviewDecision, type PreviewSession } from '../session-store.js';
import {
  AUTH_COOKIE,
  closedSession,
  cookieOpts,
  langOf,
  readAuth,
  sameToken,
  sendPage,
  sessionLog,
  sessionPath,
  showEvidence,
  simplePage,
  type AuthCookie,
  type PreviewContext,
  type PreviewSettled,
} from './context.js';

export async function settle(ctx: PreviewContext, l: Logger, event: PreviewSettled): Promise<void> {
  try {
    await ctx.deps.onSettled(event);
    if (event.releasedExchangeRef !== undefined) await ctx.deps.store.ackReleased(event.sessionId);
  } catch (err) {
    l.error({ err }, 'preview outcome handler failed; the released request stays in the store for the recovery sweep');
  }
}

/** Where the user goes after deciding: the address from the portal, else request #2's ReturnLocation. */
function returnTarget(
  ctx: PreviewContext,
  l: Logger,
  auth: AuthCookie,
  session: PreviewSession,
): ReturnTarget | undefined {
  if (auth.ret !== undefined || session.returnLocation === undefined) return auth.ret;
  const checked = checkReturn(session.returnLocation, 'GET', ctx.origins);
  if (checked.ok) return checked.target;
  l.warn({ reason: checked.reason }, 'ReturnLocation of request #2 refused');
  return undefined;
}

function sendDone(res: Response, lang: Lang, target: ReturnTarget | undefined): void {
  if (target === undefined)
    simplePage(
      res,
      200,
      lang,
      (t) => t.doneTitle,
      (t) => t.doneBody,
    );
  else if (target.method === 'GET') res.redirect(303, target.url);
  else sendPage(res, 200, postReturnPage(lang, target.url));
}

async function decide(ctx: PreviewContext, req: Request<{ sid: string }>, res: Response): Promise<void> {
  const { store } = ctx.deps;
  const lang = langOf(req);
  const sid = req.params.sid;
  const body = (req.body ?? {}) as Record<string, unknown>;
  const auth = isSessionId(sid) ? readAuth(ctx, req, sid) : undefined;
  if (auth === undefined || typeof body.csrf !== 'string' || !sameToken(body.csrf, auth.csrf)) {
    if (isSessionId(sid))
      sessionLog(ctx, sid).info(
        { login: auth !== undefined },
        'preview decision refused: no login or CSRF token mismatch',
      );
    simplePage(
      res,
      403,
      lang,
      (t) => t.sessionEndedTitle,
      (t) => t.sessionEndedBody,
    );
    return;
  }
  const session = await store.get(sid);
  if (closedSession(res, session, lang, auth.ret)) return;
  const evidences = session!.content!.evidences;
  const chosen = new Map<number, 'approve' | 'decline'>();
  const missing: number[] = [];
  evidences.forEach((_e, i) => {
    const v = body[`choice_${i}`];
    if (v === 'approve' || v === 'decline') chosen.set(i, v);
    else missing.push(i);
  });
  if (missing.length > 0) {
    showEvidence(ctx, res, session!, auth, lang, 400, { chosen, missing });
    return;
  }
  const decision: PreviewDecision = {
    approved: evidences.filter((_e, i) => chosen.get(i) === 'approve').map((e) => e.id),
    declined: evidences.filter((_e, i) => chosen.get(i) === 'decline').map((e) => e.id),
  };
  const result = await store.decide(sid, decision);
  const l = sessionLog(ctx, sid);
  if (!result.ok) {
    if (result.reason === 'expired')
      await settle(ctx, l, { sessionId: sid, outcome: 'expired', releasedExchangeRef: result.releasedExchangeRef });
    l.info({ reason: result.reason }, 'preview decision not recorded');
    closedSession(res, await store.get(sid), lang, auth.ret);
    return;
  }
  l.info({ approved: decision.approved.length, declined: decision.declined.length }, 'preview decision recorded');
  res.clearCookie(AUTH_COOKIE, { ...cookieOpts(ctx, sessionPath(ctx, sid), 0), maxAge: undefined });
  await settle(ctx, l, {
    sessionId: sid,
    outcome: 'decided',
    decision,
    releasedExchangeRef: result.releasedExchangeRef,
  });
  sendDone(res, lang, returnTarget(ctx, l, auth, session!));
}

export function mountDecision(router: Router, ctx: PreviewContext): void {
  router.post(
    '/preview/:sid/decision',
    express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 200 }),
    (req: Request<{ sid: string }>, res: Response) => decide(ctx, req, res),
  );
}
