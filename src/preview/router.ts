/**
 * The preview space's web pages (served by the api role):
 *
 *   GET  /preview/:sid                    v1.x: ?returnurl=&returnmethod= from the requester's portal;
 *                                         marks the session opened (T2 ends), starts the login; with
 *                                         a valid login cookie shows the evidence instead
 *   GET  <OIDC redirect path>             login callback: identity matched against the request
 *                                         subject → evidence page, or a neutral "not for you"
 *   GET  /preview/:sid/evidence/:id       the document itself, only to the matched person
 *   POST /preview/:sid/decision           approve / decline per evidence (CSRF token) → the return
 *                                         address (303 for GET, an auto-submitting form for POST)
 *   GET  /preview/static/*                stylesheet, optional return script
 *
 * Security: the session id in the link is a 256-bit capability, yet nothing is shown before the
 * login matched the subject. The login checks (state, nonce, PKCE verifier) live in a sealed,
 * HttpOnly, SameSite=Lax cookie scoped to the callback path, named after the state so parallel
 * logins do not clash; the login itself is a sealed cookie scoped to `/preview/<sid>` holding the
 * CSRF token (synchronizer token in the form) and its expiry (PREVIEW_LOGIN_TTL_SECONDS, never past
 * T3). Return addresses must be on an allow-listed origin. Helmet sets a CSP without inline code
 * (form-action limited to self and the return origins), no-referrer (the link is a capability),
 * frame-ancestors none; every response is no-store.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import helmet from 'helmet';
import { matchPreviewIdentity, type PreviewMatchPolicy } from '../identity/preview-match.js';
import type { Logger } from '../infra/logger.js';
import { openCookie, parseCookies, sealCookie } from './cookies.js';
import { pickLang, type Lang, type Messages } from './i18n.js';
import type { LoginChecks, OidcLogin } from './oidc.js';
import {
  evidencePage,
  ICON,
  ICON_PATH,
  messagePage,
  postReturnPage,
  RETURN_SCRIPT,
  RETURN_SCRIPT_PATH,
  STYLESHEET,
  STYLESHEET_PATH,
} from './pages.js';
import { checkReturn, normaliseOrigins, type ReturnTarget } from './return-url.js';
import { isSessionId, type PreviewDecision, type PreviewSession, type PreviewStore } from './session-store.js';

export type PreviewSettled =
  | {
      readonly sessionId: string;
      readonly outcome: 'decided';
      readonly decision: PreviewDecision;
      readonly releasedExchangeRef: string | undefined;
    }
  | { readonly sessionId: string; readonly outcome: 'expired'; readonly releasedExchangeRef: string | undefined };

export interface PreviewRouterConfig {
  /**
   * As in PREVIEW_PUBLIC_BASE_URL; its path, if any, prefixes every cookie path. A function is read
   * per request (the embedded default knows its port only once it listens).
   */
  readonly publicBaseUrl: string | (() => string);
  readonly allowedReturnOrigins: readonly string[];
  /** 32 bytes (deriveCookieKey(encryptionKey)). */
  readonly cookieKey: Buffer;
  /** Secure cookies (and HSTS): true whenever publicBaseUrl is https. */
  readonly cookieSecure: boolean;
  /** OIDC redirect path, e.g. `/preview/callback`. */
  readonly redirectPath: string;
  readonly loginTtlSeconds: number;
  readonly match: PreviewMatchPolicy;
}

export interface PreviewRouterDeps {
  readonly store: PreviewStore;
  readonly oidc: OidcLogin;
  readonly config: PreviewRouterConfig;
  readonly logger: Logger;
  /**
   * Called after the user decided (or a decision found the session expired) with the request #2
   * ref the store released, if one was parked (v2.0): enqueue its processing (deterministic job id).
   * When it resolves the release is acknowledged; when it throws the failure is logged and the ref
   * stays in the store's released set, where the sweeper (sweeper.ts) finds it again.
   */
  readonly onSettled: (event: PreviewSettled) => Promise<void>;
  readonly now?: () => Date;
}

interface FlowCookie {
  readonly sid: string;
  readonly checks: LoginChecks;
  readonly ret?: ReturnTarget;
  readonly lang: Lang;
}

interface AuthCookie {
  readonly sid: string;
  readonly csrf: string;
  readonly ret?: ReturnTarget;
}

const FLOW_TTL_MS = 10 * 60_000;
const FLOW_PREFIX = 'pvf_';
const AUTH_COOKIE = 'pva';
const LANG_COOKIE = 'pv_lang';

export function createPreviewRouter(deps: PreviewRouterDeps): Router {
  const { store, oidc, logger } = deps;
  const cfg = deps.config;
  const now = deps.now ?? (() => new Date());
  const origins = normaliseOrigins(cfg.allowedReturnOrigins);
  const baseOf = cfg.publicBaseUrl;
  const base = (): string => (typeof baseOf === 'function' ? baseOf() : baseOf).replace(/\/+$/, '');
  const basePath = (): string => new URL(base()).pathname.replace(/\/+$/, '');
  const sessionPath = (sid: string): string => `${basePath()}/preview/${sid}`;
  const log = (sid: string): Logger => logger.child({ preview: sid.slice(0, 8) });

  const router = express.Router();
  router.use(
    '/preview',
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'"],
          scriptSrc: ["'self'"],
          formAction: ["'self'", ...origins],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
        },
      },
      referrerPolicy: { policy: 'no-referrer' },
      strictTransportSecurity: cfg.cookieSecure ? { maxAge: 31_536_000 } : false,
    }),
    (_req, res, next) => {
      res.set('Cache-Control', 'no-store');
      next();
    },
  );

  const cookieOpts = (path: string, maxAgeMs: number): express.CookieOptions => ({
    httpOnly: true,
    sameSite: 'lax',
    secure: cfg.cookieSecure,
    path,
    maxAge: maxAgeMs,
  });

  const langOf = (req: Request): Lang => {
    const cookies = parseCookies(req.headers.cookie);
    const body = req.body as Record<string, unknown> | undefined;
    return pickLang(req.query.lang ?? body?.lang, cookies.get(LANG_COOKIE), req.headers['accept-language']);
  };

  const rememberLang = (req: Request, res: Response, lang: Lang): void => {
    if (req.query.lang === lang)
      res.cookie(LANG_COOKIE, lang, { ...cookieOpts(`${basePath()}/preview`, 365 * 86_400_000), httpOnly: true });
  };

  const page = (res: Response, status: number, html: string): void => {
    res.status(status).type('html').send(html);
  };

  const simple = (
    res: Response,
    status: number,
    lang: Lang,
    title: (t: Messages) => string,
    body: (t: Messages) => string,
    link?: { href: string; text: (t: Messages) => string },
    switchHref?: string,
  ): void => page(res, status, messagePage({ lang, title, body, link, switchHref }));

  const readAuth = (req: Request, sid: string): AuthCookie | undefined => {
    const a = openCookie<AuthCookie>(
      cfg.cookieKey,
      `pvauth:${sid}`,
      parseCookies(req.headers.cookie).get(AUTH_COOKIE),
      now(),
    );
    return a?.sid === sid ? a : undefined;
  };

  const showEvidence = (
    res: Response,
    session: PreviewSession,
    auth: AuthCookie,
    lang: Lang,
    status = 200,
    extra?: { chosen: Map<number, 'approve' | 'decline'>; missing: number[] },
  ): void => {
    const c = session.content!;
    page(
      res,
      status,
      evidencePage({
        lang,
        sessionPath: sessionPath(session.sessionId),
        requester: c.requester,
        description: c.previewDescription,
        evidences: c.evidences,
        csrf: auth.csrf,
        decideBy: session.decideBy,
        ...(extra === undefined ? {} : extra),
      }),
    );
  };

  /** Pages for a session that cannot be previewed (any more). Returns true when it answered. */
  const closedSession = (
    res: Response,
    session: PreviewSession | undefined,
    lang: Lang,
    back: ReturnTarget | undefined,
  ): boolean => {
    const backLink = back?.method === 'GET' ? { href: back.url, text: (t: Messages) => t.backToPortal } : undefined;
    if (session === undefined) {
      simple(
        res,
        404,
        lang,
        (t) => t.notFoundTitle,
        (t) => t.notFoundBody,
      );
      return true;
    }
    if (session.state === 'expired' || (session.state !== 'decided' && session.content === undefined)) {
      simple(
        res,
        410,
        lang,
        (t) => t.expiredTitle,
        (t) => t.expiredBody,
        backLink,
      );
      return true;
    }
    if (session.state === 'decided') {
      simple(
        res,
        409,
        lang,
        (t) => t.decidedTitle,
        (t) => t.decidedBody,
        backLink,
      );
      return true;
    }
    return false;
  };

  router.get(STYLESHEET_PATH, (_req, res) => {
    res.type('text/css').send(STYLESHEET);
  });
  router.get(ICON_PATH, (_req, res) => {
    res.type('image/svg+xml').send(ICON);
  });
  router.get(RETURN_SCRIPT_PATH, (_req, res) => {
    res.type('text/javascript').send(RETURN_SCRIPT);
  });

  router.get(cfg.redirectPath, async (req: Request, res: Response) => {
    const state =
      typeof req.query.state === 'string' && /^[A-Za-z0-9_-]{16,128}$/.test(req.query.state)
        ? req.query.state
        : undefined;
    const cookieName = `${FLOW_PREFIX}${state ?? ''}`;
    const flow =
      state === undefined
        ? undefined
        : openCookie<FlowCookie>(
            cfg.cookieKey,
            `pvflow:${state}`,
            parseCookies(req.headers.cookie).get(cookieName),
            now(),
          );
    const lang = flow?.lang ?? langOf(req);
    if (state !== undefined)
      res.clearCookie(cookieName, { ...cookieOpts(`${basePath()}${cfg.redirectPath}`, 0), maxAge: undefined });
    if (flow === undefined || flow.checks.state !== state) {
      logger.info('preview login callback without a valid login cookie');
      simple(
        res,
        400,
        lang,
        (t) => t.loginFailedTitle,
        (t) => t.sessionEndedBody,
      );
      return;
    }
    const l = log(flow.sid);
    const retry = { href: sessionPath(flow.sid) + retryQuery(flow), text: (t: Messages) => t.retryLogin };
    if (typeof req.query.error === 'string') {
      l.info({ error: req.query.error.slice(0, 64) }, 'preview login not completed at the issuer');
      simple(
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
      identity = await oidc.complete(new URL(`${base()}${cfg.redirectPath}${query}`), flow.checks);
    } catch (err) {
      l.warn({ err }, 'preview login failed');
      simple(
        res,
        502,
        lang,
        (t) => t.loginFailedTitle,
        (t) => t.loginFailedBody,
        retry,
      );
      return;
    }
    const session = await store.get(flow.sid);
    if (closedSession(res, session, lang, flow.ret)) return;
    const c = session!.content!;
    const match = matchPreviewIdentity(c.subject, c.representative, identity, cfg.match);
    if (!match.matched) {
      l.info({ reason: match.reason, attribute: match.attribute }, 'preview login does not match the request subject');
      simple(
        res,
        403,
        lang,
        (t) => t.notForYouTitle,
        (t) => t.notForYouBody,
      );
      return;
    }
    const deadline = Math.min(now().getTime() + cfg.loginTtlSeconds * 1000, session!.decideBy?.getTime() ?? Infinity);
    const auth: AuthCookie = {
      sid: flow.sid,
      csrf: randomBytes(32).toString('base64url'),
      ...(flow.ret === undefined ? {} : { ret: flow.ret }),
    };
    res.cookie(
      AUTH_COOKIE,
      sealCookie(cfg.cookieKey, `pvauth:${flow.sid}`, auth, new Date(deadline)),
      cookieOpts(sessionPath(flow.sid), Math.max(0, deadline - now().getTime())),
    );
    l.info('preview login matched the request subject');
    res.redirect(303, `${base()}/preview/${flow.sid}?lang=${lang}`);
  });

  router.get('/preview/:sid', async (req: Request<{ sid: string }>, res: Response) => {
    const lang = langOf(req);
    rememberLang(req, res, lang);
    const sid = req.params.sid;
    if (!isSessionId(sid)) {
      simple(
        res,
        404,
        lang,
        (t) => t.notFoundTitle,
        (t) => t.notFoundBody,
      );
      return;
    }
    let ret: ReturnTarget | undefined;
    if (req.query.returnurl !== undefined || req.query.returnmethod !== undefined) {
      const checked = checkReturn(req.query.returnurl, req.query.returnmethod, origins);
      if (!checked.ok) {
        log(sid).info({ reason: checked.reason }, 'preview return address refused');
        simple(
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
    const auth = readAuth(req, sid);
    if (auth !== undefined && session!.state === 'opened') {
      showEvidence(res, session!, auth, lang);
      return;
    }
    const state = await store.markOpened(sid);
    if (state !== 'opened') {
      closedSession(res, await store.get(sid), lang, ret);
      return;
    }
    const { url, checks } = await oidc.begin({ uiLocales: lang });
    const flow: FlowCookie = { sid, checks, lang, ...(ret === undefined ? {} : { ret }) };
    res.cookie(
      `${FLOW_PREFIX}${checks.state}`,
      sealCookie(cfg.cookieKey, `pvflow:${checks.state}`, flow, new Date(now().getTime() + FLOW_TTL_MS)),
      cookieOpts(`${basePath()}${cfg.redirectPath}`, FLOW_TTL_MS),
    );
    log(sid).info('preview opened; login started');
    res.redirect(303, url);
  });

  router.get('/preview/:sid/evidence/:id', async (req: Request<{ sid: string; id: string }>, res: Response) => {
    const lang = langOf(req);
    const { sid, id } = req.params;
    const auth = isSessionId(sid) ? readAuth(req, sid) : undefined;
    if (auth === undefined) {
      simple(
        res,
        403,
        lang,
        (t) => t.sessionEndedTitle,
        (t) => t.sessionEndedBody,
      );
      return;
    }
    const session = await store.get(sid);
    if (closedSession(res, session, lang, undefined)) return;
    const evidence = session!.content!.evidences.find((e) => e.id === id);
    const bytes = evidence === undefined ? undefined : await store.evidenceBytes(sid, id);
    if (evidence === undefined || bytes === undefined) {
      simple(
        res,
        404,
        lang,
        (t) => t.notFoundTitle,
        (t) => t.notFoundBody,
      );
      return;
    }
    const inline = evidence.mimeType === 'application/pdf';
    const ext = inline ? 'pdf' : evidence.mimeType.includes('xml') ? 'xml' : 'bin';
    const name =
      (evidence.title.en || 'evidence')
        .replace(/[^A-Za-z0-9 ._-]+/g, '')
        .trim()
        .replace(/\s+/g, '-') || 'evidence';
    // The document is not HTML: the page CSP does not apply to it (and would block the PDF viewer).
    res.removeHeader('Content-Security-Policy');
    res.set('Content-Security-Policy', "frame-ancestors 'none'");
    res.set('Content-Type', evidence.mimeType);
    res.set('Content-Disposition', `${inline ? 'inline' : 'attachment'}; filename="${name}.${ext}"`);
    res.send(Buffer.from(bytes));
  });

  router.post(
    '/preview/:sid/decision',
    express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 200 }),
    async (req: Request<{ sid: string }>, res: Response) => {
      const lang = langOf(req);
      const sid = req.params.sid;
      const body = (req.body ?? {}) as Record<string, unknown>;
      const auth = isSessionId(sid) ? readAuth(req, sid) : undefined;
      if (auth === undefined || typeof body.csrf !== 'string' || !sameToken(body.csrf, auth.csrf)) {
        if (isSessionId(sid))
          log(sid).info({ login: auth !== undefined }, 'preview decision refused: no login or CSRF token mismatch');
        simple(
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
        showEvidence(res, session!, auth, lang, 400, { chosen, missing });
        return;
      }
      const decision: PreviewDecision = {
        approved: evidences.filter((_e, i) => chosen.get(i) === 'approve').map((e) => e.id),
        declined: evidences.filter((_e, i) => chosen.get(i) === 'decline').map((e) => e.id),
      };
      const result = await store.decide(sid, decision);
      const l = log(sid);
      if (!result.ok) {
        if (result.reason === 'expired')
          await settle(l, { sessionId: sid, outcome: 'expired', releasedExchangeRef: result.releasedExchangeRef });
        l.info({ reason: result.reason }, 'preview decision not recorded');
        closedSession(res, await store.get(sid), lang, auth.ret);
        return;
      }
      l.info({ approved: decision.approved.length, declined: decision.declined.length }, 'preview decision recorded');
      res.clearCookie(AUTH_COOKIE, { ...cookieOpts(sessionPath(sid), 0), maxAge: undefined });
      await settle(l, {
        sessionId: sid,
        outcome: 'decided',
        decision,
        releasedExchangeRef: result.releasedExchangeRef,
      });

      let target = auth.ret;
      if (target === undefined && session!.returnLocation !== undefined) {
        const checked = checkReturn(session!.returnLocation, 'GET', origins);
        if (checked.ok) target = checked.target;
        else l.warn({ reason: checked.reason }, 'ReturnLocation of request #2 refused');
      }
      if (target === undefined)
        simple(
          res,
          200,
          lang,
          (t) => t.doneTitle,
          (t) => t.doneBody,
        );
      else if (target.method === 'GET') res.redirect(303, target.url);
      else page(res, 200, postReturnPage(lang, target.url));
    },
  );

  async function settle(l: Logger, event: PreviewSettled): Promise<void> {
    try {
      await deps.onSettled(event);
      if (event.releasedExchangeRef !== undefined) await store.ackReleased(event.sessionId);
    } catch (err) {
      l.error(
        { err },
        'preview outcome handler failed; the released request stays in the store for the recovery sweep',
      );
    }
  }

  return router;
}

function retryQuery(flow: FlowCookie): string {
  const q = new URLSearchParams({ lang: flow.lang });
  if (flow.ret !== undefined) {
    q.set('returnurl', flow.ret.url);
    q.set('returnmethod', flow.ret.method);
  }
  return `?${q.toString()}`;
}

function sameToken(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}
