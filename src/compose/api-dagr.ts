/**
 * The DAGR client of the api role alone (role `api`, no worker in the process): the preview login
 * reads the evidence and, for a company, the Register of Enterprises' officers. In role `all` the
 * worker's client is used instead (src/compose/api.ts), so one process keeps one client.
 *
 * Connected on the first login that needs it, not at start: an api process that never has a
 * preview login never talks to DAGR (nor starts the embedded DAGR sandbox when DAGR_BASE_URL is
 * unset). A failed connection is tried again at the next login.
 */
import { createRedisTokenCache } from '../dagr/token-cache-redis.js';
import type { DagrPort } from '../exchange/ports.js';
import type { Core } from './core.js';
import { connectDagr, type DagrConnection } from './evidence.js';

export function lazyApiDagr(core: Core): DagrPort {
  let conn: Promise<DagrConnection> | undefined;
  core.onStop(3, async () => {
    const open = await conn?.catch(() => undefined);
    await open?.close();
  });
  const client = (): Promise<DagrConnection> =>
    (conn ??= connectDagr(core.config, {
      tokenCache: createRedisTokenCache(core.redis, core.keys.dagr),
      logger: core.logger,
      onCall: core.metrics.onDagrCall,
    }).catch((err: unknown) => {
      conn = undefined;
      throw err;
    }));
  return {
    lookup: async (request) => (await client()).client.lookup(request),
    search: async (request) => (await client()).client.search(request),
  };
}
