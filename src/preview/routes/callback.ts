/**
 * `GET <OIDC redirect path>`: the login callback. The identity is matched against the request
 * subject: a match produces the evidence if the session does not hold it yet (./login-evidence.ts),
 * sets the login cookie and leads to the evidence page; anything else gets a neutral page (never a
 * hint of whose evidence it is).
 */
import { randomBytes } from 'node:crypto';
import type { Request, Response, Router } from 'express';
import { matchPreviewIdentity } from '../../identity/preview-match.js';
import { openCookie, parseCookies, sealCookie } from '../cookies.js';
import { checkLogin, logLoginCheck, loginCheckDetail, sendLoginRefusal } from '../login-checks.js';
import type { Messages } from '../i18n.js';
import {
  AUTH_COOKIE,
  base,
  basePath,
  closedSession,
  cookieOpts,
  FLOW_PREFIX,
  langOf,
  sessionLog,
  sessionPath,
  simplePage,
  auditLogin,
  type AuthCookie,
  type FlowCookie,
  type PreviewContext,
} from './context.js';
import { evidenceReady } from './login-evidence.js';

function retryQuery(flow: FlowCookie): string {
  const q = new URLSearchParams({ lang: flow.lang });
  if (flow.ret !== undefined) {
    q.set('returnurl', flow.ret.url);
    q.set('returnmethod', flow.ret.method);
  }
  return `?${q.toString()}`;
}

/** The login in progress named by `state`, cleared from the browser as it is read. */
function takeFlow(ctx: PreviewContext, req: Request, res: Response): { state?: string; flow?: FlowCookie } {
  const state =
    typeof req.query.state === 'string' && /^[A-Za-z0-9_-]{16,128}$/.test(req.query.state)
      ? req.query.state
      : undefined;
  if (state === undefined) return {};
  const cookieName = `${FLOW_PREFIX}${state}`;
  const flow = openCookie<FlowCookie>(
    ctx.cfg.cookieKey,
    `pvflow:${state}`,
    parseCookies(req.headers.cookie).get(cookieName),
    ctx.now(),
  );
  res.clearCookie(cookieName, { ...cookieOpts(ctx, `${basePath(ctx)}${ctx.cfg.redirectPath}`, 0), maxAge: undefined });
  return flow === undefined ? { state } : { state, flow };
}

async function callback(ctx: PreviewContext, req: Request, res: Response): Promise<void> {
  const { cfg, now } = ctx;
  const { state, flow } = takeFlow(ctx, req, res);
  const lang = flow?.lang ?? langOf(req);
  if (flow === undefined || flow.checks.state !== state) {
    ctx.deps.logger.info('preview login callback without a valid login cookie');
    simplePage(
      res,
      400,
      lang,
      (t) => t.loginFailedTitle,
      (t) => t.sessionEndedBody,
    );
    return;
  }
  const l = sessionLog(ctx, flow.sid);
  const retry = { href: sessionPath(ctx, flow.sid) + retryQuery(flow), text: (t: Messages) => t.retryLogin };
  if (typeof req.query.error === 'string') {
    l.info({ error: req.query.error.slice(0, 64) }, 'preview login not completed at the issuer');
    simplePage(
      res,
      401,
      lang,
      (t) => t.loginFailedTitle,
      (t) => (req.query.error === 'access_denied' ? t.loginCancelledBody : t.loginFailedBody),
      retry,
    );
    return;
  }
  const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
  let identity;
  try {
    identity = await ctx.deps.oidc.complete(new URL(`${base(ctx)}${cfg.redirectPath}${query}`), flow.checks);
  } catch (err) {
    l.warn({ err }, 'preview login failed');
    simplePage(
      res,
      502,
      lang,
      (t) => t.loginFailedTitle,
      (t) => t.loginFailedBody,
      retry,
    );
    return;
  }
  const session = await ctx.deps.store.get(flow.sid);
  if (closedSession(res, session, lang, flow.ret)) return;
  const c = session!.content!;
  const match = matchPreviewIdentity(c.subject, c.representative, identity, cfg.match);
  if (!match.matched) {
    l.info({ reason: match.reason, attribute: match.attribute }, 'preview login does not match the request subject');
    simplePage(
      res,
      403,
      lang,
      (t) => t.notForYouTitle,
      (t) => t.notForYouBody,
    );
    return;
  }
  const checked = await checkLogin(c, identity, {
    acr: cfg.acr,
    representationDagr: ctx.deps.representationDagr,
    now,
  });
  logLoginCheck(l, checked);
  // A refusal for DAGR being unavailable is not a finding about the person: logged only.
  if (checked.ok || checked.refusal !== 'unavailable')
    await auditLogin(ctx, flow.sid, {
      kind: checked.ok ? 'accepted' : 'refused',
      content: c,
      detail: loginCheckDetail(checked),
    });
  if (!checked.ok) {
    sendLoginRefusal(res, lang, checked.refusal, retry);
    return;
  }
  // The record is read only now, for the person who logged in (./login-evidence.ts).
  const ready = await evidenceReady(ctx, res, {
    session: session!,
    identity,
    lang,
    retryHref: retry.href,
    back: flow.ret,
  });
  if (!ready) return;
  const deadline = Math.min(now().getTime() + cfg.loginTtlSeconds * 1000, session!.decideBy?.getTime() ?? Infinity);
  const auth: AuthCookie = {
    sid: flow.sid,
    csrf: randomBytes(32).toString('base64url'),
    ...(flow.ret === undefined ? {} : { ret: flow.ret }),
  };
  res.cookie(
    AUTH_COOKIE,
    sealCookie(cfg.cookieKey, `pvauth:${flow.sid}`, auth, new Date(deadline)),
    cookieOpts(ctx, sessionPath(ctx, flow.sid), Math.max(0, deadline - now().getTime())),
  );
  l.info('preview login matched the request subject');
  res.redirect(303, `${base(ctx)}/preview/${flow.sid}?lang=${lang}`);
}

export function mountLoginCallback(router: Router, ctx: PreviewContext): void {
  router.get(ctx.cfg.redirectPath, (req: Request, res: Response) => callback(ctx, req, res));
}
