/**
 * The queue dashboard (bull-board) at `/admin/queues`, behind the admin basic auth.
 *
 * Two boards share the path: the viewer's is built read-only (bull-board hides its action buttons)
 * and, independently of the UI, every non-GET/HEAD request from a viewer is refused with 403 —
 * bull-board's reads are all GETs, its actions (retry, clean, remove, promote, pause, add, edit)
 * all PUT/POST/PATCH/DELETE. Operators get the full board; each action they take is logged with
 * their user name (job data is references only, see src/queue/jobs.ts).
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import express, { type NextFunction, type Request, type Response } from 'express';
import { HttpProblem } from '../errors.js';
import { writeErrorProblem } from '../infra/http-problem.js';
import { principalOf, type AdminAuth } from './auth.js';
import { crossSiteGuard } from './cross-site.js';
import type { Logger } from '../infra/logger.js';

export const DASHBOARD_PATH = '/admin/queues';

export interface DashboardDeps {
  /** The BullMQ queues (`queues.bullQueues()` from src/queue/queues.ts). */
  readonly queues: readonly Queue[];
  readonly auth: AdminAuth;
  readonly logger?: Logger | undefined;
  /** Default `/admin/queues`. */
  readonly basePath?: string | undefined;
}

function board(queues: readonly Queue[], basePath: string, readOnly: boolean): express.Router {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(basePath);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode: readOnly, allowRetries: !readOnly })),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: readOnly ? 'OOTS queues (read-only)' : 'OOTS queues' } },
  });
  // bull-board serves from an express app of its own, which would announce itself again.
  const app = adapter.getRouter() as express.Express;
  app.disable('x-powered-by');
  return app;
}

export function createQueueDashboard(deps: DashboardDeps): express.Router {
  const basePath = deps.basePath ?? DASHBOARD_PATH;
  const viewerBoard = board(deps.queues, basePath, true);
  const operatorBoard = board(deps.queues, basePath, false);
  const router = express.Router();
  router.use(
    basePath,
    deps.auth.authenticate,
    crossSiteGuard('dashboard'),
    (req: Request, res: Response, next: NextFunction) => {
      const who = principalOf(req);
      const reads = req.method === 'GET' || req.method === 'HEAD';
      if (who?.role !== 'operator') {
        if (!reads) {
          const refusal = new HttpProblem(
            'ERR_HTTP_FORBIDDEN',
            'the viewer role is read-only; retry, clean and remove need the operator role',
          );
          writeErrorProblem(refusal, req, res, deps.logger);
          return;
        }
        viewerBoard(req, res, next);
        return;
      }
      if (!reads)
        deps.logger?.info({ admin: { user: who.user, method: req.method, path: req.path } }, 'queue dashboard action');
      operatorBoard(req, res, next);
    },
  );
  return router;
}
