/**
 * The HTTP side of the composition: the whole express app is built from the parts first, and only
 * then does the server listen, so that no request ever meets a half-mounted app. Every role
 * serves /healthz, /readyz and /metrics; roles api and all the intake and the pages too.
 */
import type { Server } from 'node:http';
import type express from 'express';
import { buildApp } from '../http/app.js';
import { requestLogger } from '../infra/request-log.js';
import { dagrCheck, healthRouter, redisCheck, type HealthCheck } from '../ops/health.js';
import { metricsRouter } from '../ops/metrics.js';
import type { ApiPart } from './api.js';
import type { Connector } from '../connector/port.js';
import type { Core } from './core.js';
import type { WorkerPart } from './worker.js';

export interface Parts {
  readonly connector: Connector;
  readonly worker: WorkerPart | undefined;
  readonly api: ApiPart | undefined;
}

export function assembleApp(core: Core, parts: Parts): express.Express {
  const { config, logger, metrics, redis } = core;
  const { connector, worker, api } = parts;
  const checks: HealthCheck[] = [redisCheck(redis)];
  if (core.durability.check !== undefined) checks.push(core.durability.check);
  if (worker !== undefined) checks.push(dagrCheck(worker.dagr, { watch: worker.dagrWatch }));
  if (connector.health !== undefined) checks.push(connector.health);
  const routers: express.Router[] = [
    ...(api === undefined ? [] : [api.guard]),
    healthRouter({ checks, logger }),
    metricsRouter(metrics.registry, { token: config.ops.metricsToken }),
    ...(api?.routers ?? []),
  ];
  return buildApp({
    logger,
    maxBodyBytes: config.xmlLimits.maxBytes,
    first: [requestLogger(logger), metrics.httpMiddleware()],
    routers,
    ...(api === undefined ? {} : { validate: (body: Uint8Array) => core.parsePool.validate(body) }),
    connectorRoutes: connector.routes,
  });
}

/** Listens on HTTP_HOST:HTTP_PORT; the server stops with the intake (phase 1). Returns the base URL. */
export async function listen(core: Core, app: express.Express): Promise<string> {
  const { config } = core;
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.http.port, config.http.host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  core.onStop(1, () => {
    return new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 5000).unref();
    });
  });
  const address = server.address();
  const url = `http://${config.http.host}:${typeof address === 'object' && address !== null ? address.port : config.http.port}`;
  core.self.set(url);
  return url;
}
