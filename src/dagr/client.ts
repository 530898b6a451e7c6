/**
 * The DAGR client (dagr-notes A2/A5): a bounded, retried, circuit-broken HTTP client for the
 * get-by-object-identifier services, behind the exchange's DagrPort.
 *
 * Per data call: `Authorization: <scheme> <token>`, `X-DAGR-Permission`, `X-Request-ID` (the
 * correlation id), `Accept: application/json`; a hard timeout per attempt; 401 → one token refresh
 * and retry; 5xx, connection errors and timeouts → retries with exponential backoff and full jitter,
 * 429/503 honour a bounded `Retry-After`; a circuit breaker stops calling a DAGR that keeps failing.
 * 404 or an empty result is `not-found`; `{data: [...]}` and a bare array are both accepted.
 *
 * Never logged or reported: object ids (personal codes), record contents, tokens.
 */
import { createHash, randomUUID, type KeyObject } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import axios, { type AxiosInstance, type Method } from 'axios';
import type { DagrFailureCause, DagrLookupRequest, DagrLookupResult, DagrPort } from '../exchange/ports.js';
import type { Logger } from '../infra/logger.js';
import type { DagrRecord } from '../mapping/record-path.js';
import { certificateThumbprint, createClientAssertion, toRsaPrivateKey } from './assertion.js';
import { parseRetryAfter, retryDelay } from './backoff.js';
import { createCircuitBreaker, type BreakerState } from './breaker.js';
import { DagrError } from './errors.js';
import { createTokenManager, type CachedToken, type TokenCache } from './token-cache.js';

export type DagrOperation = 'lookup' | 'token' | 'permissions' | 'service-list';

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
  currentUserPermissions(correlationId?: string): Promise<readonly DagrPermission[]>;
  serviceList(correlationId?: string): Promise<readonly DagrServiceInfo[]>;
  /** The circuit breaker's state, for health and metrics. */
  breakerState(): BreakerState;
  /** Token requests this client has made to DAGR. */
  tokenFetches(): number;
  /** Closes idle keep-alive sockets. */
  close(): void;
}

interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly body: string;
}

/** One failed attempt, classified. Internal: callers only ever see DagrError. */
class AttemptFailure extends Error {
  constructor(
    readonly failure: DagrFailureCause,
    readonly detail: string,
    readonly flags: {
      readonly retryable: boolean;
      /** Counts against the circuit breaker (DAGR looks down). */
      readonly outage: boolean;
      readonly status?: number | undefined;
      readonly retryAfterMs?: number | undefined;
      readonly unauthorized?: boolean;
    },
  ) {
    super(detail);
  }
}

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

function joinUrl(base: string, path: string): string {
  if (/^https?:\/\//i.test(path)) return path;
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

export function createDagrClient(opts: DagrClientOptions): DagrClient {
  const clock = opts.clock ?? Date.now;
  const random = opts.random ?? Math.random;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const timeoutMs = opts.timeoutMs ?? 8000;
  const retries = opts.retries ?? 3;
  const retryBaseMs = opts.retryBaseMs ?? 200;
  const retryMaxDelayMs = opts.retryMaxDelayMs ?? 4000;
  const maxRetryAfterMs = opts.maxRetryAfterMs ?? 10_000;
  const authScheme = opts.authScheme ?? 'Bearer';
  const refreshRatio = opts.tokenRefreshRatio ?? 0.7;
  const tokenPath = opts.tokenPath ?? '/token';
  const tokenUrl = joinUrl(opts.baseUrl, tokenPath);
  const audience = opts.tokenAudience ?? tokenUrl;
  const privateKey = toRsaPrivateKey(opts.privateKey);
  const x5tS256 = opts.certificate === undefined ? undefined : certificateThumbprint(opts.certificate);
  const logger = opts.logger;
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

  const breaker = createCircuitBreaker({
    failureThreshold: opts.breaker?.failureThreshold ?? 5,
    resetAfterMs: opts.breaker?.resetAfterMs ?? 30_000,
    clock,
    onStateChange: (from, to) => logger?.warn({ dagr: { breaker: { from, to } } }, `DAGR circuit ${to}`),
  });

  const emit = (event: DagrCallEvent): void => {
    try {
      opts.onCall?.(event);
    } catch {
      // A metrics hook never breaks a call.
    }
  };

  /** One HTTP exchange, bounded in total time; network problems become AttemptFailures. */
  const send = async (
    operation: DagrOperation,
    service: string | undefined,
    attempt: number,
    request: { method: Method; url: string; headers: Record<string, string>; data?: string },
  ): Promise<RawResponse> => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const started = performance.now();
    try {
      const res = await transport.request<unknown>({ ...request, signal: controller.signal });
      emit({ operation, service, status: res.status, durationMs: performance.now() - started, attempt });
      // responseType 'text' with an identity transform: the body is the raw text.
      const body = typeof res.data === 'string' ? res.data : '';
      return { status: res.status, headers: res.headers, body };
    } catch (error) {
      const failure = networkFailure(error, controller.signal.aborted);
      emit({
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
  };

  const fetchToken = async (): Promise<CachedToken> => {
    const assertion = createClientAssertion({
      clientId: opts.clientId,
      audience,
      privateKey,
      nowMs: clock(),
      jti: randomUUID(),
      x5tS256,
    });
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: opts.clientId,
      client_assertion_type: JWT_BEARER,
      client_assertion: assertion,
    });
    const raw = await send('token', undefined, 1, {
      method: 'POST',
      url: tokenUrl,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      data: form.toString(),
    });
    if (raw.status === 400 || raw.status === 401 || raw.status === 403) {
      throw new AttemptFailure('forbidden', `the token endpoint refused the client assertion (HTTP ${raw.status})`, {
        retryable: false,
        outage: false,
        status: raw.status,
      });
    }
    const failure = failureForStatus(raw, clock());
    if (failure !== undefined) throw failure;
    const parsed = parseJson(raw.body);
    const record = isObject(parsed) ? parsed : undefined;
    const accessToken = record?.['access_token'];
    const expiresIn = Number(record?.['expires_in']);
    if (typeof accessToken !== 'string' || accessToken === '' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
      throw new AttemptFailure('protocol', 'the token endpoint answered without access_token/expires_in', {
        retryable: false,
        outage: false,
        status: raw.status,
      });
    }
    const now = clock();
    const tokenType = typeof record?.['token_type'] === 'string' ? record['token_type'] : 'Bearer';
    return {
      accessToken,
      tokenType,
      expiresAt: now + expiresIn * 1000,
      refreshAt: now + Math.floor(expiresIn * 1000 * refreshRatio),
    };
  };

  const tokens = createTokenManager({
    cacheKey: createHash('sha256').update(`${opts.clientId}\n${audience}`).digest('base64url').slice(0, 22),
    fetch: fetchToken,
    cache: opts.tokenCache,
    clock,
    sleep,
    lockTtlMs: timeoutMs + 2000,
    onCacheError: (operation, error) =>
      logger?.warn(
        { dagr: { tokenCache: operation }, errName: error instanceof Error ? error.name : typeof error },
        'DAGR token cache unavailable; going on without it',
      ),
  });

  /** Runs one logical call: attempts, token refresh on 401, retries, breaker. */
  const run = async <T>(
    operation: DagrOperation,
    service: string | undefined,
    path: string,
    headers: Record<string, string>,
    interpret: (raw: RawResponse) => T | AttemptFailure,
    acceptNotFound: boolean,
  ): Promise<T> => {
    let rejected: string | undefined;
    let refreshed = false;
    let retry = 0;
    for (let attempt = 1; ; attempt++) {
      if (!breaker.tryAcquire()) {
        emit({ operation, service, status: 'circuit-open', durationMs: 0, attempt });
        throw new DagrError('unavailable', 'circuit breaker open after repeated DAGR failures; not calling');
      }
      let failure: AttemptFailure;
      let usedToken: string | undefined;
      try {
        const token = await tokens.get(rejected);
        usedToken = token.accessToken;
        const raw = await send(operation, service, attempt, {
          method: 'GET',
          url: path,
          headers: {
            ...headers,
            Authorization: authScheme === '' ? token.accessToken : `${authScheme} ${token.accessToken}`,
            Accept: 'application/json',
          },
        });
        const verdict =
          (raw.status >= 200 && raw.status < 300) || (acceptNotFound && raw.status === 404)
            ? interpret(raw)
            : (failureForStatus(raw, clock()) ??
              new AttemptFailure('protocol', `unexpected HTTP ${raw.status}`, { retryable: false, outage: false }));
        if (!(verdict instanceof AttemptFailure)) {
          breaker.success();
          return verdict;
        }
        failure = verdict;
      } catch (error) {
        if (!(error instanceof AttemptFailure)) {
          breaker.success();
          throw error;
        }
        failure = error;
      }
      if (failure.flags.outage) breaker.failure();
      else breaker.success();

      if (failure.flags.unauthorized === true && !refreshed && usedToken !== undefined) {
        refreshed = true;
        rejected = usedToken;
        logger?.info({ dagr: { operation, service } }, 'DAGR refused the access token; refreshing it once');
        continue;
      }
      const delay = failure.flags.retryable
        ? retryDelay({
            retry,
            retries,
            retryAfterMs: failure.flags.retryAfterMs,
            baseMs: retryBaseMs,
            capMs: retryMaxDelayMs,
            maxRetryAfterMs,
            random,
          })
        : 'give-up';
      if (delay === 'give-up') {
        logger?.warn(
          { dagr: { operation, service, cause: failure.failure, detail: failure.detail, attempt } },
          'DAGR call failed',
        );
        throw new DagrError(
          failure.flags.unauthorized === true ? 'forbidden' : failure.failure,
          failure.flags.unauthorized === true
            ? 'DAGR refused a freshly issued access token (HTTP 401)'
            : failure.detail,
          { status: failure.flags.status, retryAfterMs: failure.flags.retryAfterMs },
        );
      }
      retry += 1;
      logger?.debug(
        { dagr: { operation, service, cause: failure.failure, detail: failure.detail, attempt, delayMs: delay } },
        'DAGR call will be retried',
      );
      await sleep(delay);
    }
  };

  const lookupAll = (request: DagrLookupRequest): Promise<readonly DagrRecord[]> => {
    const path = `/${encodeURIComponent(request.service)}/${encodeURIComponent(request.key)}`;
    return run(
      'lookup',
      request.service,
      path,
      { 'X-DAGR-Permission': request.permission, 'X-Request-ID': request.correlationId },
      (raw) => {
        if (raw.status === 404) return [];
        const records = recordsOf(parseJson(raw.body));
        if (records === undefined) {
          return new AttemptFailure('protocol', 'DAGR answered with neither {data: [...]} nor an array of records', {
            retryable: false,
            outage: false,
            status: raw.status,
          });
        }
        const fetchedAt = new Date(clock()).toISOString();
        return records.map((fields) => ({ fields, fetchedAt }));
      },
      true,
    );
  };

  const listOf = <T>(operation: DagrOperation, path: string, what: string, correlationId: string | undefined) =>
    run<readonly T[]>(
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

  return {
    async lookup(request) {
      const records = await lookupAll(request);
      const first = records[0];
      return first === undefined ? { kind: 'not-found' } : { kind: 'found', record: first };
    },
    lookupAll,
    currentUserPermissions: (correlationId) =>
      listOf<DagrPermission>('permissions', '/current_user_permissions', 'current_user_permissions', correlationId),
    serviceList: (correlationId) =>
      listOf<DagrServiceInfo>('service-list', '/service_list', 'service_list', correlationId),
    breakerState: () => breaker.state(),
    tokenFetches: () => tokens.fetchCount(),
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** `{data: [...]}` or a bare array of objects; undefined for anything else. */
function recordsOf(parsed: unknown): Record<string, unknown>[] | undefined {
  const list = Array.isArray(parsed) ? parsed : isObject(parsed) ? parsed['data'] : undefined;
  if (!Array.isArray(list) || !list.every(isObject)) return undefined;
  return list;
}

/** Classifies a non-2xx answer. */
function failureForStatus(raw: RawResponse, nowMs: number): AttemptFailure | undefined {
  const status = raw.status;
  if (status >= 200 && status < 300) return undefined;
  const retryAfterMs =
    status === 429 || status === 503 ? parseRetryAfter(headerValue(raw.headers['retry-after']), nowMs) : undefined;
  if (status === 401)
    return new AttemptFailure('forbidden', 'HTTP 401', { retryable: false, outage: false, status, unauthorized: true });
  if (status === 403)
    return new AttemptFailure('forbidden', 'HTTP 403 (permission missing, expired or out of purpose)', {
      retryable: false,
      outage: false,
      status,
    });
  if (status === 429)
    return new AttemptFailure('rate-limited', 'HTTP 429', { retryable: true, outage: false, status, retryAfterMs });
  if (status === 408 || status === 504)
    return new AttemptFailure('timeout', `HTTP ${status}`, { retryable: true, outage: true, status });
  if (status >= 500)
    return new AttemptFailure('unavailable', `HTTP ${status}`, { retryable: true, outage: true, status, retryAfterMs });
  if (status >= 400)
    return new AttemptFailure('bad-request', `HTTP ${status}`, { retryable: false, outage: false, status });
  return new AttemptFailure('protocol', `HTTP ${status}`, { retryable: false, outage: false, status });
}

function headerValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

/** A transport error (no HTTP answer) as a failure; its text names only the error code. */
function networkFailure(error: unknown, aborted: boolean): AttemptFailure {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
  if (aborted || code === 'ETIMEDOUT' || code === 'ECONNABORTED' || code === 'ERR_CANCELED') {
    return new AttemptFailure('timeout', 'no answer within the timeout', { retryable: true, outage: true });
  }
  if (code === 'ERR_BAD_RESPONSE' || code === 'ERR_FR_MAX_CONTENT_LENGTH_EXCEEDED') {
    return new AttemptFailure('protocol', `unreadable response (${code})`, { retryable: false, outage: false });
  }
  return new AttemptFailure('unavailable', `connection failed (${code ?? 'network error'})`, {
    retryable: true,
    outage: true,
  });
}
