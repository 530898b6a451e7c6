/**
 * Cross-site request forgery protection of every state-changing admin request (`/admin/api/*`,
 * the mappings page forms under `/admin/mappings`, the queue dashboard under `/admin/queues`).
 *
 * The operator's browser sends the basic-auth credentials by itself, to any request aimed at the
 * admin origin, including a form on another site. One rule therefore guards every request whose
 * method can change state (anything but GET, HEAD and OPTIONS):
 *
 * 1. **Same origin when the browser says where it comes from.** `Sec-Fetch-Site` must be
 *    `same-origin` (or `none`: typed by the user); `Origin` (or, without it, `Referer`) must name
 *    this host. A foreign or `null` origin is refused with 403.
 * 2. **A proof a cross-site form cannot forge**, per surface:
 *    - `api` (the JSON API): the header `X-Requested-By` (any value naming the client, e.g.
 *      `curl`, `ops-script`). A form cannot set a header, and a cross-origin `fetch` with it needs
 *      a CORS preflight this server never grants. Form and text bodies
 *      (`application/x-www-form-urlencoded`, `multipart/form-data`, `text/plain`: the types a form
 *      can send) are refused with 415.
 *    - `page` (the mappings page's forms): the page's CSRF token, checked by the page router.
 *    - `dashboard` (bull-board's own UI, which calls its API with fetch and no custom header): the
 *      browser's own word that the request is same-origin (`Origin` of this host, or
 *      `Sec-Fetch-Site: same-origin`), which every current browser sends on a non-GET fetch and
 *      no page on another origin can forge; scripts use `X-Requested-By` instead.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpProblem, type ErrorCode } from '../errors.js';
import { writeErrorProblem } from '../infra/http-problem.js';

/** The header an admin API client sends on every state-changing request. */
export const ADMIN_CLIENT_HEADER = 'X-Requested-By';

export type AdminSurface = 'api' | 'page' | 'dashboard';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

export type OriginVerdict = 'same' | 'foreign' | 'unknown';

/**
 * What the browser says about where a request comes from: `same` (this host), `foreign` (another
 * origin, `null`, or a malformed value) or `unknown` (no `Origin`, `Referer` or `Sec-Fetch-Site`,
 * as from curl or a script).
 */
export function requestOrigin(req: Request): OriginVerdict {
  const host = req.get('host');
  const site = req.get('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return 'foreign';
  const origin = req.get('origin');
  if (origin !== undefined) return host !== undefined && hostOf(origin) === host ? 'same' : 'foreign';
  const referer = req.get('referer');
  if (referer !== undefined) return host !== undefined && hostOf(referer) === host ? 'same' : 'foreign';
  return site === 'same-origin' ? 'same' : 'unknown';
}

function formLike(req: Request): boolean {
  const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  return FORM_TYPES.includes(type);
}

function hasClientHeader(req: Request): boolean {
  return (req.get(ADMIN_CLIENT_HEADER) ?? '').trim() !== '';
}

function refuse(req: Request, res: Response, code: ErrorCode, detail: string): void {
  writeErrorProblem(new HttpProblem(code, detail), req, res);
}

/** The guard of one admin surface; mount it after the authentication, before the routes. */
export function crossSiteGuard(surface: AdminSurface): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (SAFE.has(req.method)) {
      next();
      return;
    }
    const origin = requestOrigin(req);
    if (origin === 'foreign') {
      refuse(
        req,
        res,
        'ERR_HTTP_FORBIDDEN',
        'cross-site request refused: admin changes are accepted only from the admin origin',
      );
      return;
    }
    if (surface === 'api') {
      if (formLike(req)) {
        refuse(
          req,
          res,
          'ERR_HTTP_UNSUPPORTED_MEDIA_TYPE',
          'form and text bodies are refused here: send application/json (or the mapping as application/yaml)',
        );
        return;
      }
      if (!hasClientHeader(req)) {
        refuse(
          req,
          res,
          'ERR_HTTP_FORBIDDEN',
          `state-changing admin API requests need the header ${ADMIN_CLIENT_HEADER}`,
        );
        return;
      }
    } else if (surface === 'dashboard' && origin !== 'same' && !hasClientHeader(req)) {
      refuse(
        req,
        res,
        'ERR_HTTP_FORBIDDEN',
        `dashboard actions need a same-origin browser request or the header ${ADMIN_CLIENT_HEADER}`,
      );
      return;
    }
    next();
  };
}
