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
 *
 * One module per route in src/preview/routes/ (callback.ts, open.ts, evidence.ts, decision.ts,
 * static.ts); what they share (cookies, language, the pages of a closed session) in context.ts.
 */
import express, { type Router } from 'express';
import helmet from 'helmet';
import { mountLoginCallback } from './routes/callback.js';
import { previewContext, type PreviewRouterDeps } from './routes/context.js';
import { mountDecision } from './routes/decision.js';
import { mountEvidence } from './routes/evidence.js';
import { mountOpen } from './routes/open.js';
import { mountStatic } from './routes/static.js';

export type { PreviewRouterConfig, PreviewRouterDeps, PreviewSettled } from './routes/context.js';

export function createPreviewRouter(deps: PreviewRouterDeps): Router {
  const ctx = previewContext(deps);
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
          formAction: ["'self'", ...ctx.origins],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
        },
      },
      referrerPolicy: { policy: 'no-referrer' },
      strictTransportSecurity: ctx.cfg.cookieSecure ? { maxAge: 31_536_000 } : false,
    }),
    (_req, res, next) => {
      res.set('Cache-Control', 'no-store');
      next();
    },
  );
  mountStatic(router);
  mountLoginCallback(router, ctx);
  mountOpen(router, ctx);
  mountEvidence(router, ctx);
  mountDecision(router, ctx);
  return router;
}
