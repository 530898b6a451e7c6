/**
 * Builds the express application from its dependencies; never listens (main.ts does).
 */
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { AdapterError, XmlInputError } from '../errors.js';
import type { ValidationReport } from '../edm/validate.js';
import type { Logger } from '../infra/logger.js';
import { requestLog } from '../infra/request-log.js';

export interface AppDeps {
  readonly logger: Logger;
  /**
   * The connector's routes (its intake, push endpoints, stand-in), each with its own
   * authentication and error answers (src/connector/port.ts).
   */
  readonly connectorRoutes?: readonly express.Router[];
  /**
   * Judges an EDM message (throws or rejects with XmlInputError for unsafe, malformed or too costly
   * XML); `POST /edm/validate`. In production it runs in the parse threads, off the event loop.
   */
  readonly validate?: (body: Uint8Array) => ValidationReport | Promise<ValidationReport>;
  readonly maxBodyBytes: number;
  /** Mounted before everything (request logging, HTTP metrics). */
  readonly first?: readonly RequestHandler[];
  /** Further routers (health, metrics, admin, preview), each with its own authentication. */
  readonly routers?: readonly express.Router[];
}

export function buildApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // On every route, helmet or not: main.ts mounts this app inside another express app, whose own
  // X-Powered-By header would otherwise go out; and no answer (JSON, problem+json) is sniffed.
  app.use((_req: Request, res: Response, next: () => void) => {
    res.removeHeader('X-Powered-By');
    res.set('X-Content-Type-Options', 'nosniff');
    next();
  });

  for (const handler of deps.first ?? []) app.use(handler);
  for (const router of deps.routers ?? []) app.use(router);

  for (const router of deps.connectorRoutes ?? []) app.use(router);

  const validate = deps.validate;
  if (validate !== undefined)
    app.post(
      '/edm/validate',
      express.raw({ type: ['application/xml', 'text/xml', 'application/x-ebrs+xml'], limit: deps.maxBodyBytes }),
      async (req: Request, res: Response) => {
        if (!Buffer.isBuffer(req.body)) {
          problem(res, 415, 'Unsupported Media Type', 'send the EDM message as application/xml');
          return;
        }
        res.json(await validate(req.body));
      },
    );

  app.use((_req: Request, res: Response) => problem(res, 404, 'Not Found', 'no such route'));

  // express recognises an error handler by its four parameters.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const onError: ErrorRequestHandler = (err: unknown, req, res, _next) => {
    const log = requestLog(req, deps.logger);
    if (err instanceof XmlInputError) {
      log.info({ code: err.code }, 'refused XML input');
      problem(res, 400, 'Bad XML', err.message);
      return;
    }
    if (err instanceof AdapterError && err.code === 'ERR_PARSE_BUSY') {
      log.warn({ code: err.code }, 'parse threads busy: document refused unread');
      res.set('Retry-After', '1');
      problem(res, 503, 'Service Unavailable', err.message);
      return;
    }
    const status = typeof err === 'object' && err !== null && 'status' in err ? Number(err.status) : 500;
    if (status >= 400 && status < 500) {
      log.info({ status }, 'client error');
      problem(res, status, 'Bad Request', err instanceof Error ? err.message : 'bad request');
      return;
    }
    log.error({ err }, 'unhandled error');
    problem(res, 500, 'Internal Server Error', 'the request could not be processed');
  };
  app.use(onError);
  return app;
}

/** RFC 9457 problem details; never a stack trace. */
function problem(res: Response, status: number, title: string, detail: string): void {
  res
    .status(status)
    .type('application/problem+json')
    .send(JSON.stringify({ type: 'about:blank', title, status, detail }));
}
