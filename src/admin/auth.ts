/**
 * Authentication of the ops surfaces (`/admin`, `/admin/api/*`, `/admin/queues`): HTTP basic auth
 * against two configured roles.
 *
 * - `viewer`: reads everything ops can read (dashboard, summary, audit lookups); any request that
 *   would change state (non-GET/HEAD on the queue dashboard) is refused with 403.
 * - `operator`: may also act (retry, clean, remove, pause jobs on the dashboard).
 *
 * There is no default password: a role without a password does not exist, and with neither role
 * configured the admin surfaces are not mounted at all. Credentials are compared in constant time
 * (SHA-256 of both sides, then `timingSafeEqual`), and both roles are always checked so the time
 * taken does not tell which user name exists.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpProblem } from '../errors.js';
import { writeErrorProblem } from '../infra/http-problem.js';

export { bearerOk, safeEqual } from '../infra/bearer.js';

export type AdminRole = 'viewer' | 'operator';

export interface Credentials {
  readonly user: string;
  readonly password: string;
}

export interface AdminCredentials {
  readonly viewer?: Credentials | undefined;
  readonly operator?: Credentials | undefined;
}

/** Who is calling, once authenticated. */
export interface AdminPrincipal {
  readonly user: string;
  readonly role: AdminRole;
}

export interface AdminAuth {
  /** Sets the principal (see `principalOf`) or answers 401. */
  readonly authenticate: RequestHandler;
  /** After `authenticate`: 403 unless the caller is an operator. */
  readonly requireOperator: RequestHandler;
  /** The roles that can log in (for logs and docs). */
  readonly roles: readonly AdminRole[];
}

const REALM = 'Basic realm="oots-admin", charset="UTF-8"';
const principals = new WeakMap<Request, AdminPrincipal>();

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Parses `Authorization: Basic base64(user:password)`; undefined when absent or malformed. */
export function parseBasic(header: string | undefined): Credentials | undefined {
  const m = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (m === null) return undefined;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** The authenticated caller of a request (undefined before `authenticate` ran or when it refused). */
export function principalOf(req: Request): AdminPrincipal | undefined {
  return principals.get(req);
}

/**
 * Builds the basic-auth guard. Returns undefined when no role has a password: the caller then
 * leaves the admin surfaces unmounted.
 */
export function createAdminAuth(creds: AdminCredentials): AdminAuth | undefined {
  const roles = (['viewer', 'operator'] as const).filter((r) => {
    const c = creds[r];
    return c !== undefined && c.user !== '' && c.password !== '';
  });
  if (roles.length === 0) return undefined;
  const expected = roles.map((role) => ({ role, hash: digest(`${creds[role]!.user}:${creds[role]!.password}`) }));

  const authenticate: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    const presented = parseBasic(req.get('authorization'));
    const hash = digest(presented === undefined ? '\u0000' : `${presented.user}:${presented.password}`);
    let match: AdminRole | undefined;
    // Every role is compared, matched or not, so timing says nothing about which one exists.
    for (const e of expected) if (timingSafeEqual(hash, e.hash) && presented !== undefined) match ??= e.role;
    if (match === undefined || presented === undefined) {
      const refusal = new HttpProblem('ERR_HTTP_UNAUTHORIZED', 'valid admin credentials are required', {
        headers: { 'WWW-Authenticate': REALM },
      });
      writeErrorProblem(refusal, req, res);
      return;
    }
    principals.set(req, { user: presented.user, role: match });
    next();
  };

  const requireOperator: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    if (principals.get(req)?.role !== 'operator') {
      writeErrorProblem(new HttpProblem('ERR_HTTP_FORBIDDEN', 'this action needs the operator role'), req, res);
      return;
    }
    next();
  };

  return { authenticate, requireOperator, roles };
}

/** Fresh random credentials for both roles (user names `viewer` and `operator`). */
export function generateAdminCredentials(): { viewer: Credentials; operator: Credentials } {
  const pw = (): string => randomBytes(18).toString('base64url');
  return { viewer: { user: 'viewer', password: pw() }, operator: { user: 'operator', password: pw() } };
}

/**
 * For the embedded default: reads `file` (JSON `{viewer: {user, password}, operator: {...}}`),
 * creating it with generated credentials (mode 0600) when absent. Never for production, where
 * the ADMIN_* keys are set.
 */
export function loadOrCreateAdminCredentials(file: string): { viewer: Credentials; operator: Credentials } {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    // Written aside, then linked into place: a concurrent reader never sees a half-written file.
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(generateAdminCredentials(), null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    try {
      linkSync(tmp, file);
    } catch (err) {
      // Another local process created it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(tmp);
    }
  }
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const ok = (c: unknown): c is Credentials =>
    typeof c === 'object' &&
    c !== null &&
    typeof (c as Credentials).user === 'string' &&
    typeof (c as Credentials).password === 'string' &&
    (c as Credentials).password.length >= 16;
  const p = parsed as { viewer?: unknown; operator?: unknown };
  if (!ok(p.viewer) || !ok(p.operator))
    throw new Error(`${file}: expected {viewer: {user, password}, operator: {user, password}}`);
  return { viewer: p.viewer, operator: p.operator };
}
