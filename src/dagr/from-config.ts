/**
 * Client options from `config.dagr`: what src/compose/evidence.ts needs to build the DAGR client for
 * either a real DAGR (`DAGR_BASE_URL` + `DAGR_PRIVATE_KEY_FILE`) or the embedded sandbox (its URL
 * and key given).
 */
import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import type { Config } from '../config.js';
import type { DagrClientOptions } from './client.js';

export interface DagrClientDeps {
  /** Overrides `config.baseUrl` (the embedded sandbox's URL). */
  readonly baseUrl?: string | undefined;
  /** Overrides `config.privateKeyFile` (the embedded sandbox's key). */
  readonly privateKey?: KeyObject | string | undefined;
  readonly tokenCache?: DagrClientOptions['tokenCache'];
  readonly logger?: DagrClientOptions['logger'];
  readonly onCall?: DagrClientOptions['onCall'];
}

export function dagrClientOptions(config: Config['dagr'], deps: DagrClientDeps = {}): DagrClientOptions {
  const baseUrl = deps.baseUrl ?? config.baseUrl;
  if (baseUrl === undefined)
    throw new TypeError('no DAGR base URL: set DAGR_BASE_URL or start the embedded DAGR sandbox first');
  let privateKey = deps.privateKey;
  if (privateKey === undefined) {
    if (config.privateKeyFile === undefined) throw new TypeError('no DAGR connection key: set DAGR_PRIVATE_KEY_FILE');
    privateKey = readFileSync(config.privateKeyFile, 'utf8');
  }
  return {
    baseUrl,
    clientId: config.clientId,
    privateKey,
    tokenPath: config.tokenPath,
    authScheme: config.authScheme,
    timeoutMs: config.timeoutMs,
    retries: config.retries,
    breaker: config.breaker,
    tokenCache: deps.tokenCache,
    logger: deps.logger,
    onCall: deps.onCall,
  };
}
