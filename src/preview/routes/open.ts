/**
 * `GET /preview/:sid`: v1.x brings `?returnurl=&returnmethod=` from the requester's portal. Marks
 * the session opened (T2 ends) and starts the login; with a valid login cookie shows the evidence.
 */
import type { Request, Response, Router } from 'express';
import { sealCookie } from '../cookies.js';
import { acrValuesOf } from '../login-checks.js';
import { checkReturn, type ReturnTarget } from '../return-url.js';
import { isSessionId } from '../session-store.js';
import {
  basePath,
  closedSession,
  cookieOpts,
  FLOW_PREFIX,
  FLOW_TTL_MS,
  langOf,
  notFoundPage,
  readAuth,
  rememberLang,
  sessionLog,
  showEvidence,
  simplePage,
  type FlowCookie,
  type PreviewContext,
} from './context.js';

async function openSession(ctx: PreviewContext, req: Request<{ sid: string }>, res: Response): Promise<void> {
  const { store, oidc } = ctx.deps;
  const lang = langOf(req);
  rememberLang(ctx, req, res, lang);
  const sid = req.params.sid;
  if (!isSessionId(sid)) {
    notFoundPage(res, lang);
    return;
  }
  let ret: ReturnTarget | undefined;
  if (req.query.returnurl !== undefined || req.query.returnmethod !== undefined) {
    const checked = checkReturn(req.query.returnurl, req.query.returnmethod, ctx.origins);
    if (!checked.ok) {
      sessionLog(ctx, sid).info({ reason: checked.reason }, 'preview return address refused');
      simplePage(
        res,
        400,
        lang,
        (t) => t.badReturnTitle,
        (t) => t.badReturnBody,
      );
      return;
    }
    ret = checked.target;
  }
  const session = await store.get(sid);
  if (closedSession(res, session, lang, ret)) return;
  const auth = readAuth(ctx, req, sid);
  if (auth !== undefined && session!.state === 'opened' && !session!.awaitingEvidence) {
    showEvidence(ctx, res, session!, auth, lang);
    return;
  }
  const state = await store.markOpened(sid);
  if (state !== 'opened') {
    closedSession(res, await store.get(sid), lang, ret);
    return;
  }
  const acrValues = acrValuesOf(session!.content, ctx.cfg.acr);
  const { url, checks } = await oidc.begin({ uiLocales: lang, ...(acrValues === undefined ? {} : { acrValues }) });
  const flow: FlowCookie = { sid, checks, lang, ...(ret === undefined ? {} : { ret }) };
  res.cookie(
    `${FLOW_PREFIX}${checks.state}`,
    sealCookie(ctx.cfg.cookieKey, `pvflow:${checks.state}`, flow, new Date(ctx.now().getTime() + FLOW_TTL_MS)),
    cookieOpts(ctx, `${basePath(ctx)}${ctx.cfg.redirectPath}`, FLOW_TTL_MS),
  );
  sessionLog(ctx, sid).info('preview opened; login started');
  res.redirect(303, url);
}

export function mountOpen(router: Router, ctx: PreviewContext): void {
  router.get('/preview/:sid', (req: Request<{ sid: string }>, res: Response) => openSession(ctx, req, res));
}
