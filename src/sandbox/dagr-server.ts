/**
 * The DAGR sandbox: a local stand-in with the HTTP contract the DAGR client targets (dagr-notes
 * A2/A5; the [A] parts are the same assumptions the client makes, configurable on both sides).
 *
 *   POST /token                      client_credentials + RS256 client assertion → bearer token
 *   GET  /current_user_permissions   the client's VIRSIS permissions, with live use counts
 *   GET  /service_list               the datasets
 *   GET  /{service}/{objectId}       `{data: [record...]}`; 401 / 403 / 429 / 404 as DAGR would
 *   GET  /{service}?Field=value&...  attribute search (foreign nationals, docs/matching.md): the same
 *                                    envelope and errors; names compared leniently (dagr-sandbox-search.ts)
 *
 * Fault knobs for tests and demos: `POST|GET|DELETE /sandbox/dagr/faults`, `GET /sandbox/dagr/stats`,
 * `POST /sandbox/dagr/revoke-tokens`, and the same programmatically. It never logs record contents
 * or object ids.
 *
 * The parts: dagr-sandbox-state.ts (shapes and state), -faults.ts (knobs and control routes),
 * -token.ts (token endpoint, access-token check), -data.ts (permissions, service list, records).
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { sendProblem } from '../infra/http-problem.js';
import express, { type ErrorRequestHandler, type Request, type Response } from 'express';
import { mountDataRoutes } from './dagr-sandbox-data.js';
import { createFaultControl, faultMiddleware, mountSandboxControls } from './dagr-sandbox-faults.js';
import {
  createSandboxState,
  type DagrSandboxOptions,
  type DagrSandboxStats,
  type FaultControl,
  type SandboxState,
} from './dagr-sandbox-state.js';
import { clientPublicKey, mountTokenEndpoint } from './dagr-sandbox-token.js';
import type { Permission } from './dagr-types.js';

export type { DagrDataset, Permission } from './dagr-types.js';
export type {
  DagrSandboxOptions,
  DagrSandboxStats,
  FailStatus,
  FaultControl,
  FaultSettings,
  FaultState,
} from './dagr-sandbox-state.js';
export { parseFaultSettings } from './dagr-sandbox-faults.js';
export { checkAssertion } from './dagr-sandbox-token.js';

export interface DagrSandbox {
  /** The express app (mount it or listen on it). */
  readonly app: express.Express;
  readonly faults: FaultControl;
  stats(): DagrSandboxStats;
  /** The permissions with their current use counts. */
  permissions(): Permission[];
  /** Invalidates every issued token (the next call with one gets 401). */
  revokeTokens(): void;
}

export function createDagrSandbox(opts: DagrSandboxOptions): DagrSandbox {
  const publicKey = clientPublicKey(opts.clientPublicKey);
  const st = createSandboxState(opts);
  const faults = createFaultControl(st);

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  mountSandboxControls(app, st, faults); // never faulted
  app.use(faultMiddleware(st));
  mountTokenEndpoint(app, st, publicKey);
  mountDataRoutes(app, st);
  app.use((_req: Request, res: Response) => sendProblem(res, 404, 'Not Found', 'no such route'));
  app.use(errorHandler(st));

  return {
    app,
    faults,
    stats: () => ({ ...st.counters }),
    permissions: () => st.permissions.map((p): Permission => ({ ...p })),
    revokeTokens: () => st.tokens.clear(),
  };
}

function errorHandler(st: SandboxState): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const status = typeof err === 'object' && err !== null && 'status' in err ? Number(err.status) : 500;
    if (status >= 400 && status < 500) sendProblem(res, status, 'Bad Request', 'the request could not be read');
    else {
      st.logger?.error({ errName: err instanceof Error ? err.name : typeof err }, 'DAGR sandbox error');
      sendProblem(res, 500, 'Internal Server Error', 'sandbox error');
    }
  };
}

export interface StartedDagrSandbox {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly url: string;
  readonly sandbox: DagrSandbox;
  readonly faults: FaultControl;
  stop(): Promise<void>;
}

/** Creates the sandbox and listens on `host:port` (port 0 = any free port). */
export async function startDagrSandbox(
  opts: DagrSandboxOptions & { readonly host: string; readonly port: number },
): Promise<StartedDagrSandbox> {
  const sandbox = createDagrSandbox(opts);
  const server: Server = await new Promise((resolve, reject) => {
    const s = sandbox.app.listen(opts.port, opts.host, (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  server.keepAliveTimeout = 5_000;
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    sandbox,
    faults: sandbox.faults,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
