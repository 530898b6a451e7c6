/**
 * Composes the running adapter: configuration, logger, validators, the HTTP app; listens and
 * owns graceful shutdown.
 */
import type { Server } from 'node:http';
import { loadConfig, type Config } from './config.js';
import { validateMessage } from './edm/validate.js';
import { buildApp } from './http/app.js';
import { createLogger } from './ops/logger.js';
import { loadEdmXsdValidator } from './resources/edm-xsd.js';

export interface Running {
  readonly url: string;
  stop(): Promise<void>;
}

export async function start(config: Config = loadConfig()): Promise<Running> {
  const logger = createLogger(config.logLevel);
  const xsd = loadEdmXsdValidator();
  const app = buildApp({
    logger,
    maxBodyBytes: config.xmlLimits.maxBytes,
    validate: (body) => validateMessage(body, { limits: config.xmlLimits, xsd }),
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.http.port, config.http.host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.http.port;
  const url = `http://${config.http.host}:${port}`;
  logger.info({ url }, 'OOTS adapter API listening');
  return {
    url,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      xsd.dispose();
      logger.info('stopped');
    },
  };
}
