/**
 * The structured logger (pino, JSON). Personal data never belongs in a log line; the redaction
 * paths are a second line of defence for fields that could carry it by mistake.
 *
 * `requestLogger` gives every HTTP request a child logger (`requestLog(req)`) carrying its request
 * id (`X-Request-ID` when the caller sent a safe one, else a new UUID, echoed in the response) and
 * writes one line per request when it ends: method, route pattern (never the raw URL: preview
 * links carry capabilities), status and duration; 5xx at error, everything else at info, probes
 * and scrapes (`/healthz`, `/readyz`, `/metrics`) at debug. Bodies, query strings and headers are
 * never logged. Jobs get their child logger from src/queue/queues.ts (`ctx.log`).
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { pino, type Logger } from 'pino';

export const REDACT_PATHS = [
  'subject',
  '*.subject',
  'subjectIdentifier',
  '*.subjectIdentifier',
  'person',
  '*.person',
  'personalCode',
  '*.personalCode',
  'familyName',
  '*.familyName',
  'givenName',
  '*.givenName',
  'dateOfBirth',
  '*.dateOfBirth',
  'evidence',
  '*.evidence',
  'attachments',
  '*.attachments',
  'payloads',
  '*.payloads',
  'body',
  '*.body',
  'password',
  '*.password',
  'token',
  '*.token',
  'authorization',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
];

/**
 * Lines go to stdout asynchronously by default: a synchronous write per line cost a quarter of the
 * worker's CPU under load (one syscall per line), while the asynchronous stream coalesces the lines
 * written during one write into the next. pino flushes what is still buffered synchronously on
 * exit and after every `fatal` line, but cannot wait for the one write already on the thread pool:
 * a SIGKILL right after a fatal can lose the lines of that write (or they land after the fatal
 * line). Never an exchange: the store and the audit trail are in Redis, not in the log.
 */
export function createLogger(
  level: string,
  destination: pino.DestinationStream = pino.destination({ dest: 1, sync: false }),
): Logger {
  return pino(
    { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'oots-adapter' } },
    destination,
  );
}

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

export type { Logger };
