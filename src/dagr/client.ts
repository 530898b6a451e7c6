/**
 * The DAGR client (dagr-notes A2/A5): a bounded, retried, circuit-broken HTTP client for the
 * get-by-object-identifier services and the attribute search, behind the exchange's DagrPort.
 *
 * Per data call: `Authorization: <scheme> <token>`, `X-DAGR-Permission`, `X-Request-ID` (the
 * correlation id), `Accept: application/json`; a hard timeout per attempt; 401 → one token refresh
 * and retry; 5xx, connection errors and timeouts → retries with exponential backoff and full jitter,
 * 429/503 honour a bounded `Retry-After`; a circuit breaker stops calling a DAGR that keeps failing.
 * 404 or an empty result is `not-found`; `{data: [...]}` and a bare array are both accepted.
 * 202 is `deferred`: the record is being prepared, ask again after its `Retry-After`.
 *
 * Never logged or reported: object ids (personal codes), search values (names, dates of birth),
 * record contents, tokens.
 */
import { createHash, type KeyObject } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import axios, { type AxiosInstance, type Method } from 'axios';
import type { DagrLookupRequest, DagrLookupResult, DagrPort, DagrSearchRequest } from '../exchange/ports.js';
import type { Logger } from '../infra/logger.js';
import type { DagrRecord } from '../mapping/record-path.js';
import { certificateThumbprint, toRsaPrivateKey } from './assertion.js';
import { retryDelay } from './backoff.js';
import { createCircuitBreaker, type BreakerState, type CircuitBreaker } from './breaker.js';
import { DagrError } from './errors.js';
import {
  AttemptFailure,
  failureForStatus,
  isObject,
  networkFailure,
  parseJson,
  deferredAnswer,
  type DeferredLookupResult,
  recordsOf,
  type RawResponse,
} from './response.js';
import { createTokenManager, type TokenCache, type TokenManager } from './token-cache.js';
import { fetchToken } from './token-request.js';

export type DagrOperation = 'lookup' | 'search' | 'token' | 'permissions' | 'service-list';

/** One HTTP attempt, for metrics. No personal data: the service name, never the object id. */
export interface DagrCallEvent {
  readonly operation: DagrOperation;
  /** DAGR `service_name` for lookups; undefined for the other operations. */
  readonly service: string | undefined;
  /** HTTP status, or what happened instead of one. */
  readonly status: number | 'timeout' | 'network-error' | 'circuit-open';
  readonly durationMs: number;
  /** 1-based attempt within the call (token fetches always report 1). */
  readonly attempt: number;
}

export interface DagrClientOptions {
  /** DAGR REST API base, e.g. `https://test.dagr.gov.lv` (paths below it are [A]). */
  readonly baseUrl: string;
  /** The connection's `client_id`. */
  readonly clientId: string;
  /** Private key of the connection's registered certificate (PEM or KeyObject, RSA). */
  readonly privateKey: KeyObject | string;
  /** The registered certificate (PEM); when given, the assertion carries its `x5t#S256`. */
  readonly certificate?: string | undefined;
  /** Token endpoint, relative to baseUrl or absolute [A]. Default `/token`. */
  readonly tokenPath?: string | undefined;
  /** `aud` of the client assertion [A]. Default: the token endpoint's absolute URL. */
  readonly tokenAudience?: string | undefined;
  /** Scheme before the token in `Authorization` [A]; `''` sends the bare token. Default `Bearer`. */
  readonly authScheme?: string | undefined;
  /** Bound on one HTTP attempt (connect + answer), ms. Default 8000. */
  readonly timeoutMs?: number | undefined;
  /** Retries after the first attempt for transient failures. Default 3. */
  readonly retries?: number | undefined;
  /** Backoff base, ms (retry n waits up to base·2^n, full jitter). Default 200. */
  readonly retryBaseMs?: number | undefined;
  /** Backoff cap, ms. Default 4000. */
  readonly retryMaxDelayMs?: number | undefined;
  /** Longest `Retry-After` honoured inside one call; a longer one ends the call. Default 10000. */
  readonly maxRetryAfterMs?: number | undefined;
  /** Circuit breaker. Default 5 consecutive failures, 30 s open. */
  readonly breaker?: { readonly failureThreshold: number; readonly resetAfterMs: number } | undefined;
  /** Shared token store (src/dagr/token-cache-redis.ts); without it each client keeps its own. */
  readonly tokenCache?: TokenCache | undefined;
  /** Fraction of `expires_in` after which the token is refreshed. Default 0.7. */
  readonly tokenRefreshRatio?: number | undefined;
  /** Largest response body accepted, bytes. Default 5 MiB. */
  readonly maxResponseBytes?: number | undefined;
  /** Concurrent sockets to DAGR per client (keep-alive). Default 64. */
  readonly maxSockets?: number | undefined;
  readonly logger?: Logger | undefined;
  /** Epoch ms. Default Date.now. */
  readonly clock?: (() => number) | undefined;
  /** [0, 1). Default Math.random. */
  readonly random?: (() => number) | undefined;
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
  /** Called after every HTTP attempt (and for calls refused by the open circuit). Must not throw. */
  readonly onCall?: ((event: DagrCallEvent) => void) | undefined;
}

/** A VIRSIS permission as `GET /current_user_permissions` lists it (dagr-notes A2). */
export interface DagrPermission {
  readonly service_name: string;
  readonly permission_number: string;
  readonly purpose_of_use?: string;
  readonly use_count?: number;
  readonly use_count_quota?: number | null;
  readonly valid_from?: string | null;
  readonly valid_to?: string | null;
  readonly [field: string]: unknown;
}

/** A dataset as `GET /service_list` lists it. */
export interface DagrServiceInfo {
  readonly service_name: string;
  readonly [field: string]: unknown;
}

export interface DagrClient extends DagrPort {
  lookup(request: DagrLookupRequest): Promise<DagrLookupResult>;
  /** Every record DAGR returns for the object id (a key may hold several, e.g. diplomas). */
  lookupAll(request: DagrLookupRequest): Promise<readonly DagrRecord[]>;
  /** `GET /{service}?field=value&...`: the candidates for the criteria (a foreign national by attributes). */
  search(request: DagrSearchRequest): Promise<DagrLookupResult>;
  currentUserPermissions(correlationId?: string): Promise<readonly DagrPermission[]>;
  serviceList(correlationId?: string): Promise<readonly DagrServiceInfo[]>;
  /** The circuit breaker's state, for health and metrics. */
  breakerState(): BreakerState;
  /** Token requests this client has made to DAGR. */
  tokenFetches(): number;
  /** Closes idle keep-alive sockets. */
  close(): void;
}

function joinUrl(base: string, path: string): string {
  if (/^https?:\/\//i.test(path)) return path;
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** The options with their defaults applied: what every call reads. */
interface Settings {
  readonly clock: () => number;
  readonly random: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly retryBaseMs: number;
  readonly retryMaxDelayMs: number;
  readonly maxRetryAfterMs: number;
  readonly authScheme: string;
  readonly logger: Logger | undefined;
  readonly onCall: ((event: DagrCallEvent) => void) | undefined;
}

/** One HTTP exchange needs the settings and the transport. */
interface Transport extends Settings {
  readonly transport: AxiosInstance;
}

/** One logical call needs, besides, the breaker and the tokens. */
interface CallContext extends Transport {
  readonly breaker: CircuitBreaker;
  readonly tokens: TokenManager;
}

function settingsOf(opts: DagrClientOptions): Settings {
  return {
    clock: opts.clock ?? Date.now,
    random: opts.random ?? Math.random,
    sleep: opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
    timeoutMs: opts.timeoutMs ?? 8000,
    retries: opts.retries ?? 3,
    retryBaseMs: opts.retryBaseMs ?? 200,
    retryMaxDelayMs: opts.retryMaxDelayMs ?? 4000,
    maxRetryAfterMs: opts.maxRetryAfterMs ?? 10_000,
    authScheme: opts.authScheme ?? 'Bearer',
    logger: opts.logger,
    onCall: opts.onCall,
  };
}

export function createDagrClient(opts: DagrClientOptions): DagrClient {
  const settings = settingsOf(opts);
  const { clock, logger, timeoutMs } = settings;
  const refreshRatio = opts.tokenRefreshRatio ?? 0.7;
  const tokenUrl = joinUrl(opts.baseUrl, opts.tokenPath ?? '/token');
  const audience = opts.tokenAudience ?? tokenUrl;
  const privateKey: KeyObject = toRsaPrivateKey(opts.privateKey);
  const x5tS256 = opts.certificate === undefined ? undefined : certificateThumbprint(opts.certificate);
  if (!(refreshRatio > 0 && refreshRatio <= 1)) throw new RangeError('tokenRefreshRatio must be in (0, 1]');

  const agentOptions = { keepAlive: true, maxSockets: opts.maxSockets ?? 64 };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);
  const transport: AxiosInstance = axios.create({
    baseURL: opts.baseUrl,
    httpAgent,
    httpsAgent,
    timeout: timeoutMs,
    maxRedirects: 0,
    proxy: false,
    maxContentLength: opts.maxResponseBytes ?? 5 * 1024 * 1024,
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
    transitional: { clarifyTimeoutError: true, silentJSONParsing: false, forcedJSONParsing: false },
  });
  const sender: Transport = { ...settings, transport };

  const breaker = createCircuitBreaker({
    failureThreshold: opts.breaker?.failureThreshold ?? 5,
    resetAfterMs: opts.breaker?.resetAfterMs ?? 30_000,
    clock,
    onStateChange: (from, to) => logger?.warn({ dagr: { breaker: { from, to } } }, `DAGR circuit ${to}`),
  });

  const tokens = createTokenManager({
    cacheKey: createHash('sha256').update(`${opts.clientId}\n${audience}`).digest('base64url').slice(0, 22),
    fetch: () =>
      fetchToken({
        clientId: opts.clientId,
        audience,
        tokenUrl,
        privateKey,
        x5tS256,
        refreshRatio,
        clock,
        post: (request) => send(sender, 'token', undefined, 1, request),
      }),
    cache: opts.tokenCache,
    clock,
    sleep: settings.sleep,
    lockTtlMs: timeoutMs + 2000,
    onCacheError: (operation, error) =>
      logger?.warn(
        { dagr: { tokenCache: operation }, errName: error instanceof Error ? error.name : typeof error },
        'DAGR token cache unavailable; going on without it',
      ),
  });

  const ctx: CallContext = { ...sender, breaker, tokens };
  return {
    async lookup(request) {
      const answer = await lookupAnswer(ctx, request);
      if (!Array.isArray(answer)) return answer as DagrLookupResult;
      const [first, ...rest] = answer as readonly DagrRecord[];
      return first === undefined ? { kind: 'not-found' } : { kind: 'found', records: [first, ...rest] };
    },
    async lookupAll(request) {
      const answer = await lookupAnswer(ctx, request);
      // A record still being prepared is no record yet.
      return Array.isArray(answer) ? (answer as readonly DagrRecord[]) : [];
    },
    async search(request) {
      const answer = await recordsAt(ctx, 'search', request, searchPath(request));
      if (!Array.isArray(answer)) return answer as DagrLookupResult;
      const [first, ...rest] = answer as readonly DagrRecord[];
      return first === undefined ? { kind: 'not-found' } : { kind: 'found', records: [first, ...rest] };
    },
    currentUserPermissions: (correlationId) =>
      listOf<DagrPermission>(
        ctx,
        'permissions',
        '/current_user_permissions',
        'current_user_permissions',
        correlationId,
      ),
    serviceList: (correlationId) =>
      listOf<DagrServiceInfo>(ctx, 'service-list', '/service_list', 'service_list', correlationId),
    breakerState: () => breaker.state(),
    tokenFetches: () => tokens.fetchCount(),
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

function emit(ctx: Settings, event: DagrCallEvent): void {
  try {
    ctx.onCall?.(event);
  } catch {
    // A metrics hook never breaks a call.
  }
}

/** One HTTP exchange, bounded in total time; network problems become AttemptFailures. */
async function send(
  ctx: Transport,
  operation: DagrOperation,
  service: string | undefined,
  attempt: number,
  request: { method: Method; url: string; headers: Record<string, string>; data?: string },
): Promise<RawResponse> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ctx.timeoutMs);
  const started = performance.now();
  try {
    const res = await ctx.transport.request<unknown>({ ...request, signal: controller.signal });
    emit(ctx, { operation, service, status: res.status, durationMs: performance.now() - started, attempt });
    // responseType 'text' with an identity transform: the body is the raw text.
    const body = typeof res.data === 'string' ? res.data : '';
    return { status: res.status, headers: res.headers, body };
  } catch (error) {
    const failure = networkFailure(error, controller.signal.aborted);
    emit(ctx, {
      operation,
      service,
      status: failure.failure === 'timeout' ? 'timeout' : 'network-error',
      durationMs: performance.now() - started,
      attempt,
    });
    throw failure;
  } finally {
    clearTimeout(timer);
  }
}

/** Runs one logical call: attempts, token refresh on 401, retries, ctx.breaker. */
async function run<T>(
  ctx: CallContext,
  operation: DagrOperation,
  service: string | undefined,
  path: string,
  headers: Record<string, string>,
  interpret: (raw: RawResponse) => T | AttemptFailure,
  acceptNotFound: boolean,
): Promise<T> {
  let rejected: string | undefined;
  let refreshed = false;
  let retry = 0;
  for (let attempt = 1; ; attempt++) {
    if (!ctx.breaker.tryAcquire()) {
      emit(ctx, { operation, service, status: 'circuit-open', durationMs: 0, attempt });
      throw new DagrError('unavailable', 'circuit breaker open after repeated DAGR failures; not calling');
    }
    let failure: AttemptFailure;
    let usedToken: string | undefined;
    try {
      const token = await ctx.tokens.get(rejected);
      usedToken = token.accessToken;
      const raw = await send(ctx, operation, service, attempt, {
        method: 'GET',
        url: path,
        headers: {
          ...headers,
          Authorization: ctx.authScheme === '' ? token.accessToken : `${ctx.authScheme} ${token.accessToken}`,
          Accept: 'application/json',
        },
      });
      const verdict =
        (raw.status >= 200 && raw.status < 300) || (acceptNotFound && raw.status === 404)
          ? interpret(raw)
          : (failureForStatus(raw, ctx.clock()) ??
            new AttemptFailure('protocol', `unexpected HTTP ${raw.status}`, { retryable: false, outage: false }));
      if (!(verdict instanceof AttemptFailure)) {
        ctx.breaker.success();
        return verdict;
      }
      failure = verdict;
    } catch (error) {
      if (!(error instanceof AttemptFailure)) {
        ctx.breaker.success();
        throw error;
      }
      failure = error;
    }
    if (failure.flags.outage) ctx.breaker.failure();
    else ctx.breaker.success();

    if (failure.flags.unauthorized === true && !refreshed && usedToken !== undefined) {
      refreshed = true;
      rejected = usedToken;
      ctx.logger?.info({ dagr: { operation, service } }, 'DAGR refused the access token; refreshing it once');
      continue;
    }
    const delay = failure.flags.retryable
      ? retryDelay({
          retry,
          retries: ctx.retries,
          retryAfterMs: failure.flags.retryAfterMs,
          baseMs: ctx.retryBaseMs,
          capMs: ctx.retryMaxDelayMs,
          maxRetryAfterMs: ctx.maxRetryAfterMs,
          random: ctx.random,
        })
      : 'give-up';
    if (delay === 'give-up') {
      ctx.logger?.warn(
        { dagr: { operation, service, cause: failure.failure, detail: failure.detail, attempt } },
        'DAGR call failed',
      );
      throw new DagrError(
        failure.flags.unauthorized === true ? 'forbidden' : failure.failure,
        failure.flags.unauthorized === true ? 'DAGR refused a freshly issued access token (HTTP 401)' : failure.detail,
        { status: failure.flags.status, retryAfterMs: failure.flags.retryAfterMs },
      );
    }
    retry += 1;
    ctx.logger?.debug(
      { dagr: { operation, service, cause: failure.failure, detail: failure.detail, attempt, delayMs: delay } },
      'DAGR call will be retried',
    );
    await ctx.sleep(delay);
  }
}

/** The records, or (HTTP 202) when to ask again for a record DAGR is still preparing. */
function lookupAnswer(
  ctx: CallContext,
  request: DagrLookupRequest,
): Promise<readonly DagrRecord[] | DeferredLookupResult> {
  const path = `/${encodeURIComponent(request.service)}/${encodeURIComponent(request.key)}`;
  return recordsAt(ctx, 'lookup', request, path);
}

/** The attribute search [A]: the dataset path with one query parameter per record field (dagr-notes A5). */
function searchPath(request: DagrSearchRequest): string {
  const query = new URLSearchParams();
  for (const c of request.criteria) query.append(c.field, c.value);
  return `/${encodeURIComponent(request.service)}?${query.toString()}`;
}

/** A data call (lookup or search): same headers, envelope, 404 / empty = none, and errors. */
function recordsAt(
  ctx: CallContext,
  operation: 'lookup' | 'search',
  request: { readonly service: string; readonly permission: string; readonly correlationId: string },
  path: string,
): Promise<readonly DagrRecord[] | DeferredLookupResult> {
  return run<readonly DagrRecord[] | DeferredLookupResult>(
    ctx,
    operation,
    request.service,
    path,
    { 'X-DAGR-Permission': request.permission, 'X-Request-ID': request.correlationId },
    (raw) => {
      if (raw.status === 404) return [];
      if (raw.status === 202) return deferredAnswer(raw, ctx.clock());
      const records = recordsOf(parseJson(raw.body));
      if (records === undefined) {
        return new AttemptFailure('protocol', 'DAGR answered with neither {data: [...]} nor an array of records', {
          retryable: false,
          outage: false,
          status: raw.status,
        });
      }
      const fetchedAt = new Date(ctx.clock()).toISOString();
      return records.map((fields) => ({ fields, fetchedAt }));
    },
    true,
  );
}

function listOf<T>(
  ctx: CallContext,
  operation: DagrOperation,
  path: string,
  what: string,
  correlationId: string | undefined,
): Promise<readonly T[]> {
  return run<readonly T[]>(
    ctx,
    operation,
    undefined,
    path,
    correlationId === undefined ? {} : { 'X-Request-ID': correlationId },
    (raw) => {
      const parsed = parseJson(raw.body);
      const list = Array.isArray(parsed)
        ? parsed
        : isObject(parsed) && Array.isArray(parsed['data'])
          ? parsed['data']
          : undefined;
      if (list === undefined || !list.every((item) => isObject(item) && typeof item['service_name'] === 'string')) {
        return new AttemptFailure('protocol', `DAGR answered ${what} with an unexpected shape`, {
          retryable: false,
          outage: false,
          status: raw.status,
        });
      }
      return list as T[];
    },
    false,
  );
}
