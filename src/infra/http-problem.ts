/**
 * The one problem+json writer (RFC 9457) and the one HTTP error middleware. Routes do not pick
 * error statuses: they throw (or pass to `next`) an `AdapterError`, usually an `HttpProblem`, and
 * `httpErrorHandler` answers with the status its code carries in the catalogue (src/errors.ts),
 * as Fastify does. 5xx are logged at error (503, a deliberate refusal, at warn), 4xx at info;
 * bodies never hold a stack, and a 500 never holds the error's message.
 */
import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { AdapterError, ERROR_CODES, HttpProblem, type CatalogueEntry } from '../errors.js';
import type { Logger } from './logger.js';
import { requestLog } from './request-log.js';

export const PROBLEM_JSON = 'application/problem+json';

/** Writes `{type: 'about:blank', title, status, detail, ...extra}` as application/problem+json. */
export function sendProblem(
  res: Response,
  status: number,
  title: string,
  detail: string,
  extra: Readonly<Record<string, unknown>> = {},
): void {
  res
    .status(status)
    .type(PROBLEM_JSON)
    .send(JSON.stringify({ type: 'about:blank', title, status, detail, ...extra }));
}

/** The title of a status: the catalogue's override, else the standard reason phrase. */
export function problemTitle(status: number, entry?: CatalogueEntry): string {
  return entry?.title ?? STATUS_CODES[status] ?? 'Error';
}

/** The request's logger; a silent one for a router tested alone (no requestLogger, no fallback). */
function logOf(req: Request, fallback: Logger | undefined): Pick<Logger, 'error' | 'warn' | 'info'> {
  try {
    return requestLog(req, fallback);
  } catch {
    const quiet = (): void => undefined;
    return { error: quiet, warn: quiet, info: quiet };
  }
}

const GENERIC_DETAIL = 'the request could not be processed';

/** Answers an error with the status its code carries; see the module comment. */
export function writeErrorProblem(err: unknown, req: Request, res: Response, fallback?: Logger): void {
  const log = logOf(req, fallback);
  if (err instanceof AdapterError) {
    const entry: CatalogueEntry = ERROR_CODES[err.code];
    const status = entry.status;
    if (status >= 500 && status !== 503) log.error({ err, code: err.code }, 'request failed');
    else if (status === 503) log.warn({ code: err.code }, err.message);
    else log.info({ code: err.code, status }, 'client error');
    // Parse threads refuse for an instant only: the caller may come back at once.
    if (err.code === 'ERR_PARSE_BUSY') res.set('Retry-After', '1');
    if (err instanceof HttpProblem) for (const [k, v] of Object.entries(err.headers)) res.set(k, v);
    sendProblem(
      res,
      status,
      problemTitle(status, entry),
      status >= 500 && status !== 503 ? GENERIC_DETAIL : err.message,
      err instanceof HttpProblem ? err.extra : {},
    );
    return;
  }
  // Errors of express and its body parsers carry a 4xx `status` (400 bad JSON, 413 too large).
  const status = typeof err === 'object' && err !== null && 'status' in err ? Number(err.status) : 500;
  if (status >= 400 && status < 500) {
    log.info({ status }, 'client error');
    sendProblem(res, status, 'Bad Request', err instanceof Error ? err.message : 'bad request');
    return;
  }
  log.error({ err }, 'unhandled error');
  sendProblem(res, 500, 'Internal Server Error', GENERIC_DETAIL);
}

/** The HTTP error middleware: mount it last. */
export function httpErrorHandler(logger?: Logger): ErrorRequestHandler {
  // express recognises an error handler by its four parameters.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  return (err: unknown, req, res, _next) => writeErrorProblem(err, req, res, logger);
}

/** The last route: 404 problem+json. */
export function notFoundHandler(): RequestHandler {
  return (_req, res) => sendProblem(res, 404, 'Not Found', 'no such route');
}
