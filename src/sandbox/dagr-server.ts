/**
 * The DAGR sandbox: a local stand-in with the HTTP contract the DAGR client targets (dagr-notes
 * A2/A5; the [A] parts are the same assumptions the client makes, configurable on both sides).
 *
 *   POST /token                      client_credentials + RS256 client assertion → bearer token
 *   GET  /current_user_permissions   the client's VIRSIS permissions, with live use counts
 *   GET  /service_list               the datasets
 *   GET  /{service}/{objectId}       `{data: [record...]}`; 401 / 403 / 429 / 404 as DAGR would
 *
 * Fault knobs for tests and demos: `POST|GET|DELETE /sandbox/dagr/faults`, `GET /sandbox/dagr/stats`,
 * `POST /sandbox/dagr/revoke-tokens`, and the same programmatically. It never logs record contents
 * or object ids.
 */
import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type ErrorRequestHandler, type NextFunction, type Request, type Response } from 'express';
import { sendProblem } from '../infra/http-problem.js';
import type { Logger } from '../infra/logger.js';
import { keyFieldOf } from './dagr-data-loader.js';
import type { DagrDataset, Permission } from './dagr-types.js';

export type { DagrDataset, Permission } from './dagr-types.js';

export type FailStatus = 500 | 502 | 503 | 429;

export interface FaultSettings {
  /** Added before every DAGR answer (not the /sandbox routes), ms. */
  readonly latencyMs?: number;
  /** The next `count` data calls answer `status` (with `Retry-After` when given). */
  readonly failNext?: { readonly count: number; readonly status: FailStatus; readonly retryAfterSeconds?: number };
  /** DAGR is down: `true`/`'reset'` resets every connection, `'503'` answers 503 to everything. */
  readonly down?: boolean | 'reset' | '503';
  /** Object ids answered 404 even if a record exists. */
  readonly notFound?: readonly string[];
}

export interface FaultState {
  readonly latencyMs: number;
  readonly failNext: {
    readonly count: number;
    readonly status: FailStatus;
    readonly retryAfterSeconds?: number;
  } | null;
  readonly down: false | 'reset' | '503';
  /** How many object ids are forced to 404 (the ids themselves are not echoed). */
  readonly notFoundCount: number;
}

export interface FaultControl {
  /** Merges the given knobs into the current ones. */
  set(settings: FaultSettings): FaultState;
  /** Back to a healthy DAGR. */
  clear(): FaultState;
  current(): FaultState;
}

export interface DagrSandboxStats {
  readonly tokenRequests: number;
  readonly tokensIssued: number;
  /** Requests to the data services (every GET /{service}/{id}, whatever the answer). */
  readonly dataRequests: number;
  /** Data requests answered 200. */
  readonly found: number;
  /** Data requests answered 404. */
  readonly notFound: number;
  /** Connections reset because of the `down` knob. */
  readonly resets: number;
}

export interface DagrSandboxOptions {
  readonly datasets: readonly DagrDataset[];
  readonly permissions: readonly Permission[];
  /** The one registered connection's `client_id`. */
  readonly clientId: string;
  /** Public key of the connection's certificate (PEM key or certificate, or KeyObject). */
  readonly clientPublicKey: KeyObject | string;
  /** Lifetime of issued tokens (`expires_in`). Default 600. */
  readonly tokenTtlSeconds?: number;
  /** Epoch ms. Default Date.now. */
  readonly clock?: () => number;
  /** Token endpoint path. Default `/token`. */
  readonly tokenPath?: string;
  /** Accepted `aud` values; default: the absolute URL the token request arrived at. */
  readonly audience?: string | readonly string[];
  /** Scheme expected before the token in `Authorization`; `''` = bare token. Default `Bearer`. */
  readonly authScheme?: string;
  /** Unknown object: `404` (default) or `200 {data: []}`. */
  readonly notFoundStyle?: '404' | 'empty';
  /** Record answers as `{data: [...]}` (default) or a bare array. */
  readonly responseShape?: 'wrapped' | 'bare';
  readonly logger?: Logger;
}

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

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Clock skew tolerated on `exp`/`iat`, seconds. */
const SKEW_SECONDS = 5;
/** Longest assertion lifetime accepted (dagr-notes A5 [A]). */
const MAX_ASSERTION_SECONDS = 60;
const FAIL_STATUSES: readonly number[] = [500, 502, 503, 429];

function oauthError(res: Response, status: number, error: string, description: string): void {
  res.status(status).set('Cache-Control', 'no-store').json({ error, error_description: description });
}

function toPublicKey(key: KeyObject | string): KeyObject {
  if (typeof key !== 'string') return key.type === 'private' ? createPublicKey(key) : key;
  return createPublicKey(key); // accepts a PEM public key, a certificate or a private key
}

function dateBound(value: string | null, end: boolean): number | undefined {
  if (value === null || value === '') return undefined;
  // A bare date is valid for the whole day.
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T${end ? '23:59:59.999' : '00:00:00.000'}Z` : value;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

export function createDagrSandbox(opts: DagrSandboxOptions): DagrSandbox {
  const clock = opts.clock ?? Date.now;
  const ttlSeconds = opts.tokenTtlSeconds ?? 600;
  const tokenPath = opts.tokenPath ?? '/token';
  const authScheme = opts.authScheme ?? 'Bearer';
  const publicKey = toPublicKey(opts.clientPublicKey);
  if (publicKey.asymmetricKeyType !== 'rsa') throw new TypeError('the client key must be an RSA key (RS256)');
  const logger = opts.logger;

  // Records indexed by object id, per service.
  const index = new Map<string, { dataset: DagrDataset; byKey: Map<string, Readonly<Record<string, unknown>>[]> }>();
  for (const dataset of opts.datasets) {
    const keyField = keyFieldOf(dataset.key);
    if (keyField === undefined) throw new TypeError(`dataset ${dataset.service_name}: unreadable key "${dataset.key}"`);
    const byKey = new Map<string, Readonly<Record<string, unknown>>[]>();
    for (const record of dataset.records) {
      const id = String(record[keyField]);
      const list = byKey.get(id);
      if (list === undefined) byKey.set(id, [record]);
      else list.push(record);
    }
    index.set(dataset.service_name, { dataset, byKey });
  }
  const permissions = opts.permissions.map((p) => ({ ...p }));

  const tokens = new Map<string, number>();
  const seenJti = new Map<string, number>();
  const counters = { tokenRequests: 0, tokensIssued: 0, dataRequests: 0, found: 0, notFound: 0, resets: 0 };

  let latencyMs = 0;
  let failNext: FaultState['failNext'] = null;
  let down: FaultState['down'] = false;
  let notFound = new Set<string>();
  const state = (): FaultState => ({ latencyMs, failNext, down, notFoundCount: notFound.size });
  const faults: FaultControl = {
    set(settings) {
      if (settings.latencyMs !== undefined) latencyMs = settings.latencyMs;
      if (settings.failNext !== undefined) failNext = settings.failNext.count > 0 ? { ...settings.failNext } : null;
      if (settings.down !== undefined) down = settings.down === true ? 'reset' : settings.down;
      if (settings.notFound !== undefined) notFound = new Set(settings.notFound);
      logger?.info({ dagrSandbox: { faults: state() } }, 'DAGR sandbox faults set');
      return state();
    },
    clear() {
      latencyMs = 0;
      failNext = null;
      down = false;
      notFound = new Set();
      return state();
    },
    current: state,
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);

  // ---- sandbox controls (never faulted) ----
  app.get('/sandbox/dagr/faults', (_req, res) => {
    res.json(state());
  });
  app.post('/sandbox/dagr/faults', express.json({ limit: '64kb' }), (req: Request, res: Response) => {
    const parsed = parseFaultSettings(req.body);
    if (typeof parsed === 'string') {
      sendProblem(res, 400, 'Bad fault settings', parsed);
      return;
    }
    res.json(faults.set(parsed));
  });
  app.delete('/sandbox/dagr/faults', (_req, res) => {
    res.json(faults.clear());
  });
  app.get('/sandbox/dagr/stats', (_req, res) => {
    res.json({ ...counters });
  });
  app.post('/sandbox/dagr/revoke-tokens', (_req, res) => {
    tokens.clear();
    res.status(204).end();
  });

  // ---- faults that hit everything DAGR answers ----
  app.use(async (req: Request, res: Response, next: NextFunction) => {
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    if (down === 'reset') {
      counters.resets += 1;
      req.socket.destroy();
      return;
    }
    if (down === '503') {
      res.set('Connection', 'close');
      sendProblem(res, 503, 'Service Unavailable', 'DAGR sandbox is down (fault knob)');
      return;
    }
    next();
  });

  // ---- token endpoint ----
  app.post(tokenPath, express.urlencoded({ extended: false, limit: '16kb' }), (req: Request, res: Response) => {
    counters.tokenRequests += 1;
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body['grant_type'] !== 'client_credentials') {
      oauthError(res, 400, 'unsupported_grant_type', 'grant_type must be client_credentials');
      return;
    }
    if (body['client_assertion_type'] !== JWT_BEARER || typeof body['client_assertion'] !== 'string') {
      oauthError(res, 400, 'invalid_request', `client_assertion_type must be ${JWT_BEARER} with a client_assertion`);
      return;
    }
    const expectedAud =
      opts.audience === undefined
        ? [`${req.protocol}://${req.get('host') ?? ''}${req.originalUrl.split('?')[0] ?? ''}`]
        : typeof opts.audience === 'string'
          ? [opts.audience]
          : opts.audience;
    const problemText = checkAssertion(body['client_assertion'], {
      clientId: opts.clientId,
      claimedClientId: body['client_id'],
      audiences: expectedAud,
      publicKey,
      nowSeconds: Math.floor(clock() / 1000),
      seenJti,
    });
    if (problemText !== undefined) {
      logger?.info({ dagrSandbox: { token: 'refused' } }, `DAGR sandbox refused a client assertion: ${problemText}`);
      oauthError(res, 401, 'invalid_client', problemText);
      return;
    }
    const accessToken = randomBytes(32).toString('base64url');
    const now = clock();
    for (const [t, exp] of tokens) if (exp <= now) tokens.delete(t);
    tokens.set(accessToken, now + ttlSeconds * 1000);
    counters.tokensIssued += 1;
    res
      .set('Cache-Control', 'no-store')
      .json({ access_token: accessToken, token_type: 'Bearer', expires_in: ttlSeconds });
  });

  const authenticated = (req: Request, res: Response): boolean => {
    const header = req.get('authorization') ?? '';
    let token: string | undefined;
    if (authScheme === '') token = header.trim();
    else {
      const [scheme, value] = header.trim().split(/\s+/, 2);
      if (scheme !== undefined && scheme.toLowerCase() === authScheme.toLowerCase()) token = value;
    }
    const exp = token === undefined || token === '' ? undefined : tokens.get(token);
    if (exp === undefined || exp <= clock()) {
      if (authScheme !== '') res.set('WWW-Authenticate', `${authScheme} error="invalid_token"`);
      sendProblem(res, 401, 'Unauthorized', 'a valid access token is required');
      return false;
    }
    return true;
  };

  app.get('/current_user_permissions', (req: Request, res: Response) => {
    if (!authenticated(req, res)) return;
    res.json(
      permissions.map((p) => ({
        ...p,
        access_control_tree: { name: p.service_name, read_access: 'full', properties: null },
      })),
    );
  });

  app.get('/service_list', (_req: Request, res: Response) => {
    res.json(
      opts.datasets.map((d) => ({
        service_name: d.service_name,
        description: d.description,
        key: d.key,
        key_fields: [keyFieldOf(d.key)],
        updated_at_field: d.updated_at_field ?? null,
        fields: d.fields,
        record_count: d.records.length,
      })),
    );
  });

  // ---- get-by-object-identifier ----
  app.get('/:service/:objectId', (req: Request, res: Response) => {
    counters.dataRequests += 1;
    const service = String(req.params['service']);
    const objectId = String(req.params['objectId']);
    if (failNext !== null) {
      const { status, retryAfterSeconds } = failNext;
      failNext = failNext.count > 1 ? { ...failNext, count: failNext.count - 1 } : null;
      if (retryAfterSeconds !== undefined) res.set('Retry-After', String(retryAfterSeconds));
      sendProblem(res, status, status === 429 ? 'Too Many Requests' : 'Service Unavailable', 'fault knob');
      return;
    }
    if (!authenticated(req, res)) return;
    const permissionNumber = req.get('x-dagr-permission');
    const permission = permissions.find((p) => p.service_name === service && p.permission_number === permissionNumber);
    if (permission === undefined) {
      sendProblem(res, 403, 'Forbidden', 'X-DAGR-Permission does not name a permission for this service');
      return;
    }
    const now = clock();
    const from = dateBound(permission.valid_from, false);
    const to = dateBound(permission.valid_to, true);
    if ((from !== undefined && now < from) || (to !== undefined && now > to)) {
      sendProblem(res, 403, 'Forbidden', 'the permission is not valid now');
      return;
    }
    if (permission.use_count_quota !== null && permission.use_count >= permission.use_count_quota) {
      sendProblem(res, 429, 'Too Many Requests', 'the permission use quota is exhausted');
      return;
    }
    const entry = index.get(service);
    if (entry === undefined) {
      sendProblem(res, 404, 'Not Found', 'no such service');
      return;
    }
    Object.assign(permission, { use_count: permission.use_count + 1 });
    const records = notFound.has(objectId) ? undefined : entry.byKey.get(objectId);
    if (records === undefined) {
      counters.notFound += 1;
      if (opts.notFoundStyle === 'empty') res.json(opts.responseShape === 'bare' ? [] : { data: [] });
      else sendProblem(res, 404, 'Not Found', 'no record for this object id');
      return;
    }
    counters.found += 1;
    res.json(opts.responseShape === 'bare' ? records : { data: records });
  });

  app.use((_req: Request, res: Response) => sendProblem(res, 404, 'Not Found', 'no such route'));
  const onError: ErrorRequestHandler = (err: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const status = typeof err === 'object' && err !== null && 'status' in err ? Number(err.status) : 500;
    if (status >= 400 && status < 500) sendProblem(res, status, 'Bad Request', 'the request could not be read');
    else {
      logger?.error({ errName: err instanceof Error ? err.name : typeof err }, 'DAGR sandbox error');
      sendProblem(res, 500, 'Internal Server Error', 'sandbox error');
    }
  };
  app.use(onError);

  return {
    app,
    faults,
    stats: () => ({ ...counters }),
    permissions: () => permissions.map((p) => ({ ...p })),
    revokeTokens: () => tokens.clear(),
  };
}

/** Validates the body of `POST /sandbox/dagr/faults`; a string is the problem. */
export function parseFaultSettings(body: unknown): FaultSettings | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'send a JSON object';
  const b = body as Record<string, unknown>;
  const known = new Set(['latencyMs', 'failNext', 'down', 'notFound']);
  const unknown = Object.keys(b).filter((k) => !known.has(k));
  if (unknown.length > 0) return `unknown knob(s): ${unknown.join(', ')}`;
  const out: { -readonly [K in keyof FaultSettings]: FaultSettings[K] } = {};
  if (b['latencyMs'] !== undefined) {
    const v = b['latencyMs'];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 120_000)
      return 'latencyMs must be an integer from 0 to 120000';
    out.latencyMs = v;
  }
  if (b['failNext'] !== undefined) {
    const f = b['failNext'];
    if (typeof f !== 'object' || f === null) return 'failNext must be {count, status, retryAfterSeconds?}';
    const { count, status, retryAfterSeconds } = f as Record<string, unknown>;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0)
      return 'failNext.count must be a non-negative integer';
    if (typeof status !== 'number' || !FAIL_STATUSES.includes(status))
      return 'failNext.status must be 500, 502, 503 or 429';
    if (
      retryAfterSeconds !== undefined &&
      (typeof retryAfterSeconds !== 'number' || !Number.isInteger(retryAfterSeconds) || retryAfterSeconds < 0)
    ) {
      return 'failNext.retryAfterSeconds must be a non-negative integer';
    }
    out.failNext = {
      count,
      status: status as FailStatus,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    };
  }
  if (b['down'] !== undefined) {
    const d = b['down'];
    if (typeof d !== 'boolean' && d !== 'reset' && d !== '503') return 'down must be true, false, "reset" or "503"';
    out.down = d;
  }
  if (b['notFound'] !== undefined) {
    const n = b['notFound'];
    if (!Array.isArray(n) || !n.every((x) => typeof x === 'string')) return 'notFound must be an array of object ids';
    out.notFound = n;
  }
  return out;
}

interface AssertionCheck {
  readonly clientId: string;
  readonly claimedClientId: unknown;
  readonly audiences: readonly string[];
  readonly publicKey: KeyObject;
  readonly nowSeconds: number;
  readonly seenJti: Map<string, number>;
}

/** RFC 7523 §3 checks on the client assertion; undefined when it is acceptable, else why not. */
export function checkAssertion(jws: string, c: AssertionCheck): string | undefined {
  if (c.claimedClientId !== undefined && c.claimedClientId !== c.clientId) return 'unknown client_id';
  const parts = jws.split('.');
  if (parts.length !== 3) return 'client_assertion is not a compact JWS';
  const [h, p, s] = parts as [string, string, string];
  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>;
    payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return 'client_assertion header or payload is not base64url JSON';
  }
  if (header['alg'] !== 'RS256') return 'alg must be RS256';
  if (!verify('sha256', Buffer.from(`${h}.${p}`), c.publicKey, Buffer.from(s, 'base64url')))
    return 'signature does not verify';
  if (payload['iss'] !== c.clientId || payload['sub'] !== c.clientId) return 'iss and sub must be the client_id';
  const aud = payload['aud'];
  const auds = Array.isArray(aud) ? aud : [aud];
  if (!auds.some((a) => typeof a === 'string' && c.audiences.includes(a))) return 'aud must be the token endpoint URL';
  const exp = payload['exp'];
  if (typeof exp !== 'number') return 'exp is required';
  if (exp <= c.nowSeconds - SKEW_SECONDS) return 'the assertion has expired';
  if (exp > c.nowSeconds + MAX_ASSERTION_SECONDS + SKEW_SECONDS)
    return `exp may be at most ${MAX_ASSERTION_SECONDS} s ahead`;
  const iat = payload['iat'];
  if (iat !== undefined && (typeof iat !== 'number' || iat > c.nowSeconds + SKEW_SECONDS))
    return 'iat is in the future';
  const jti = payload['jti'];
  if (typeof jti !== 'string' || jti === '') return 'jti is required';
  for (const [seen, until] of c.seenJti) if (until < c.nowSeconds - SKEW_SECONDS) c.seenJti.delete(seen);
  if (c.seenJti.has(jti)) return 'jti was already used';
  c.seenJti.set(jti, exp);
  return undefined;
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
