/**
 * The DAGR client of the api role alone (role `api`, no worker in the process): the preview's
 * powers-of-representation check reads the Register of Enterprises at login. In role `all` the
 * worker's client is used instead (src/main.ts), so one process keeps one client.
 */
import { createRedisTokenCache } from '../dagr/token-cache-redis.js';
import type { DagrPort } from '../exchange/ports.js';
import type { Core } from './core.js';
import { connectDagr } from './evidence.js';

export async function connectRepresentationDagr(core: Core): Promise<DagrPort> {
  const conn = await connectDagr(core.config, {
    tokenCache: createRedisTokenCache(core.redis, core.keys.dagr),
    logger: core.logger,
    onCall: core.metrics.onDagrCall,
  });
  core.onStop(3, () => conn.close());
  return conn.client;
}
