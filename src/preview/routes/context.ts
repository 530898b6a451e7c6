/**
 * What the preview routes share: their dependencies and configuration, the cookies, the language,
 * and the pages every route may answer with (a message page, the evidence page, the pages of a
 * session that cannot be previewed).
 */
import { timingSafeEqual } from 'node:crypto';
import type express from 'express';
import type { Request, Response } from 'express';
import type { DagrPort } from '../../exchange/ports.js';
import type { AcrTable } from '../../identity/acr.js';
import type { LoginEvidence, LoginEvidenceInput } from '../../exchange/evidence-at-login.js';
import type { PreviewMatchPolicy } from '../../identity/preview-match.js';
import type { Logger } from '../../infra/logger.js';
import { openCookie, parseCookies } from '../cookies.js';
import { pickLang, type Lang, type Messages } from '../i18n.js';
import type { LoginChecks, OidcLogin } from '../oidc.js';
import { evidencePage, messagePage } from '../pages.js';
import { normaliseOrigins, type ReturnTarget } from '../return-url.js';
import type { PreviewContent } from '../session-model.js';
import type { PreviewDecision, PreviewSession, PreviewStore } from '../session-store.js';

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
  /** The issuer's acr values per level of assurance (OIDC_ACR_VALUES); default the eIDAS URIs. */
  readonly acr?: AcrTable;
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
  /**
   * The exchange's evidence step at the login (src/exchange/evidence-at-login.ts, wired by compose
   * with the DAGR port and the renderer): needed for sessions opened without their evidence.
   */
  readonly produceEvidence?: (input: LoginEvidenceInput) => Promise<LoginEvidence>;
  readonly now?: () => Date;
  /**
   * DAGR for the powers-of-representation check of a company's evidence (login-checks.ts). Without
   * it, a session that needs the check refuses every login with a "try later" page.
   */
  readonly representationDagr?: DagrPort;
  /**
   * For the audit trail: what a login led to, as codes (level, scope of a power, why nothing was
   * found or why it was refused), never who logged in or what the record holds. Failures are logged.
   */
  readonly onLogin?: (event: PreviewLoginEvent) => Promise<void>;
}

export interface PreviewLoginEvent {
  readonly kind: 'accepted' | 'refused' | 'nothing-found';
  readonly content: PreviewContent;
  /** Codes only, e.g. `level substantial; power BoardMember jointly (with 1)`. */
  readonly detail: string;
}

/** Hands a login event to the audit hook; the login goes on whatever the hook does. */
export async function auditLogin(ctx: PreviewContext, sid: string, event: PreviewLoginEvent): Promise<void> {
  try {
    await ctx.deps.onLogin?.(event);
  } catch (err) {
    sessionLog(ctx, sid).error({ err }, 'preview login audit record failed');
  }
}

/** The login in progress: sealed in a cookie scoped to the callback path, named after the state. */
export interface FlowCookie {
  readonly sid: string;
  readonly checks: LoginChecks;
  readonly ret?: ReturnTarget;
  readonly lang: Lang;
}

/** The login that matched: sealed in a cookie scoped to `/preview/<sid>`, with the CSRF token. */
export interface AuthCookie {
  readonly sid: string;
  readonly csrf: string;
  readonly ret?: ReturnTarget;
}

export const FLOW_TTL_MS = 10 * 60_000;
export const FLOW_PREFIX = 'pvf_';
export const AUTH_COOKIE = 'pva';
const LANG_COOKIE = 'pv_lang';

/** The routes' shared state, built once by createPreviewRouter. */
export interface PreviewContext {
  readonly deps: PreviewRouterDeps;
  readonly cfg: PreviewRouterConfig;
  readonly now: () => Date;
  /** The allowed return origins, normalised. */
  readonly origins: readonly string[];
}

export function previewContext(deps: PreviewRouterDeps): PreviewContext {
  return {
    deps,
    cfg: deps.config,
    now: deps.now ?? (() => new Date()),
    origins: normaliseOrigins(deps.config.allowedReturnOrigins),
  };
}

/** The public base URL without a trailing slash. */
export function base(ctx: PreviewContext): string {
  const b = ctx.cfg.publicBaseUrl;
  return (typeof b === 'function' ? b() : b).replace(/\/+$/, '');
}

export function basePath(ctx: PreviewContext): string {
  return new URL(base(ctx)).pathname.replace(/\/+$/, '');
}

export function sessionPath(ctx: PreviewContext, sid: string): string {
  return `${basePath(ctx)}/preview/${sid}`;
}

/** A logger naming the session by a prefix of its id only (the id is a capability). */
export function sessionLog(ctx: PreviewContext, sid: string): Logger {
  return ctx.deps.logger.child({ preview: sid.slice(0, 8) });
}

export function cookieOpts(ctx: PreviewContext, path: string, maxAgeMs: number): express.CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure: ctx.cfg.cookieSecure, path, maxAge: maxAgeMs };
}

export function langOf(req: Request): Lang {
  const cookies = parseCookies(req.headers.cookie);
  const body = req.body as Record<string, unknown> | undefined;
  return pickLang(req.query.lang ?? body?.lang, cookies.get(LANG_COOKIE), req.headers['accept-language']);
}

export function rememberLang(ctx: PreviewContext, req: Request, res: Response, lang: Lang): void {
  if (req.query.lang === lang)
    res.cookie(LANG_COOKIE, lang, { ...cookieOpts(ctx, `${basePath(ctx)}/preview`, 365 * 86_400_000), httpOnly: true });
}

/** An HTML page with the status of its outcome. */
export function sendPage(res: Response, status: number, html: string): void {
  res.status(status).type('html').send(html);
}

/** A page that only says something (title, text, optionally one link). */
export function simplePage(
  res: Response,
  status: number,
  lang: Lang,
  title: (t: Messages) => string,
  body: (t: Messages) => string,
  link?: { href: string; text: (t: Messages) => string },
): void {
  sendPage(res, status, messagePage({ lang, title, body, link }));
}

export function readAuth(ctx: PreviewContext, req: Request, sid: string): AuthCookie | undefined {
  const a = openCookie<AuthCookie>(
    ctx.cfg.cookieKey,
    `pvauth:${sid}`,
    parseCookies(req.headers.cookie).get(AUTH_COOKIE),
    ctx.now(),
  );
  return a?.sid === sid ? a : undefined;
}

export function showEvidence(
  ctx: PreviewContext,
  res: Response,
  session: PreviewSession,
  auth: AuthCookie,
  lang: Lang,
  status = 200,
  extra?: { chosen: Map<number, 'approve' | 'decline'>; missing: number[] },
): void {
  const c = session.content!;
  sendPage(
    res,
    status,
    evidencePage({
      lang,
      sessionPath: sessionPath(ctx, session.sessionId),
      requester: c.requester,
      description: c.previewDescription,
      evidences: c.evidences,
      csrf: auth.csrf,
      decideBy: session.decideBy,
      ...(extra === undefined ? {} : extra),
    }),
  );
}

/** Pages for a session that cannot be previewed (any more). Returns true when it answered. */
/** The one "no such preview" page: an unknown, malformed or purged link says nothing more. */
export function notFoundPage(res: Response, lang: Lang): void {
  simplePage(
    res,
    404,
    lang,
    (t) => t.notFoundTitle,
    (t) => t.notFoundBody,
  );
}

export function closedSession(
  res: Response,
  session: PreviewSession | undefined,
  lang: Lang,
  back: ReturnTarget | undefined,
): boolean {
  const backLink = back?.method === 'GET' ? { href: back.url, text: (t: Messages) => t.backToPortal } : undefined;
  if (session === undefined) {
    notFoundPage(res, lang);
    return true;
  }
  if (session.state === 'expired' || (session.state !== 'decided' && session.content === undefined)) {
    simplePage(
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
    simplePage(
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
}

export function sameToken(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}
