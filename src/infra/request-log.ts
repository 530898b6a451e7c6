/**
 * `requestLogger` gives every HTTP request a child logger (`requestLog(req)`) carrying its request
 * id (`X-Request-ID` when the caller sent a safe one, else a new UUID, echoed in the response) and
 * writes one line per request when it ends: method, route pattern (never the raw URL: preview
 * links carry capabilities), status and duration; 5xx at error, everything else at info, probes
 * and scrapes (`/healthz`, `/readyz`, `/metrics`) at debug. Bodies, query strings and headers are
 * never logged.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from './logger.js';

const logs = new WeakMap<Request, Logger>();
const ids = new WeakMap<Request, string>();
const SAFE_ID = /^[A-Za-z0-9._:@-]{1,128}$/;
const QUIET = new Set(['/healthz', '/readyz', '/metrics']);

/** The request's child logger (the root logger's child when `requestLogger` did not run). */
export function requestLog(req: Request, fallback?: Logger): Logger {
  const log = logs.get(req) ?? fallback;
  if (log === undefined) throw new Error('requestLogger is not mounted');
  return log;
}

/**
 * The route pattern that served a request (`/admin/api/audit/exchanges/:id`), never the raw URL;
 * `<unmatched>` when no route matched (404s, static files).
 */
export function routePattern(req: Request): string {
  const route: unknown = (req as { route?: unknown }).route;
  const path: unknown = typeof route === 'object' && route !== null ? (route as { path?: unknown }).path : undefined;
  if (path === undefined) return '<unmatched>';
  return `${req.baseUrl}${typeof path === 'string' ? path : '<pattern>'}` || '/';
}

/** The request id `requestLogger` assigned. */
export function requestIdOf(req: Request): string | undefined {
  return ids.get(req);
}

export function requestLogger(logger: Logger, opts: { readonly newId?: () => string } = {}): RequestHandler {
  const newId = opts.newId ?? randomUUID;
  return (req: Request, res: Response, next: NextFunction) => {
    const presented = req.get('x-request-id');
    const reqId = presented !== undefined && SAFE_ID.test(presented) ? presented : newId();
    const log = logger.child({ reqId });
    logs.set(req, log);
    ids.set(req, reqId);
    res.set('X-Request-ID', reqId);
    const start = performance.now();
    res.once('finish', () => {
      const status = res.statusCode;
      const line = {
        http: {
          method: req.method,
          route: routePattern(req),
          status,
          ms: Math.round((performance.now() - start) * 10) / 10,
        },
      };
      if (status >= 500) log.error(line, 'request failed');
      else if (QUIET.has(req.originalUrl.split('?')[0] ?? '') && status < 400) log.debug(line, 'request');
      else log.info(line, 'request');
    });
    next();
  };
}
