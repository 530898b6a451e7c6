/**
 * Builds the express application from its dependencies; never listens (src/compose/app.ts does,
 * once the whole app is built).
 */
import express, { type Request, type RequestHandler, type Response } from 'express';
import { HttpProblem } from '../errors.js';
import type { ValidationReport } from '../edm/validate.js';
import type { Logger } from '../infra/logger.js';
import { httpErrorHandler, notFoundHandler } from '../infra/http-problem.js';

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
  // On every route, helmet or not: a host app that mounts this one would otherwise add its own
  // X-Powered-By header; and no answer (JSON, problem+json) is sniffed.
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
        if (!Buffer.isBuffer(req.body))
          throw new HttpProblem('ERR_HTTP_UNSUPPORTED_MEDIA_TYPE', 'send the EDM message as application/xml');
        res.json(await validate(req.body));
      },
    );

  app.use(notFoundHandler());
  // The one error middleware: the status comes from the error's code (src/errors.ts).
  app.use(httpErrorHandler(deps.logger));
  return app;
}
