/** The DAGR client room: what the rest of the adapter imports. */
export { createDagrClient } from './client.js';
export type {
  DagrCallEvent,
  DagrClient,
  DagrClientOptions,
  DagrOperation,
  DagrPermission,
  DagrServiceInfo,
} from './client.js';
export { DagrError, DAGR_FAILURE_CAUSES, edmCodeFor, isTransient } from './errors.js';
export type { BreakerState, CircuitBreaker } from './breaker.js';
export { createCircuitBreaker } from './breaker.js';
export { backoffDelay, parseRetryAfter, retryDelay } from './backoff.js';
export { createMemoryTokenCache, createTokenManager } from './token-cache.js';
export type { CachedToken, TokenCache, TokenManager } from './token-cache.js';
export { createRedisTokenCache } from './token-cache-redis.js';
export { dagrClientOptions } from './from-config.js';
export type { DagrClientDeps } from './from-config.js';
