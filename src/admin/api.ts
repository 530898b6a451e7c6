/**
 * The ops API and page, behind the admin basic auth (both roles: everything here only reads).
 *
 *   GET  /admin                          server-rendered summary of the last hour and day (no JS)
 *   GET  /admin/api/summary?window=1h|1d exchanges by outcome and EDM code, oldest pending job,
 *                                        failed jobs, DAGR circuit and quota
 *   GET  /admin/api/audit/exchanges/:id  audit records of one exchange (conversation id, request
 *                                        id or exchange reference); 404 when none
 *   POST /admin/api/audit/by-subject     body `{"identifier": "LV/DE/12048814731"}`: audit records
 *                                        of one person (data-subject requests). POST so that the
 *                                        identifier never lands in a URL, an access log or a
 *                                        proxy log; it is neither logged nor echoed.
 *
 * Every audit lookup is logged with the admin user and role (never the identifier asked about).
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Queues } from '../queue/queues.js';
import { HttpProblem } from '../errors.js';
import { escapeHtml as esc, htmlDocument } from '../infra/html.js';
import { httpErrorHandler } from '../infra/http-problem.js';
import { principalOf, type AdminAuth } from './auth.js';
import { crossSiteGuard } from './cross-site.js';
import type { AuditRecord, AuditTrail, OutcomeCounts } from '../ops/audit.js';
import type { Logger } from '../infra/logger.js';
import type { DagrSnapshot, DagrWatch } from '../ops/metrics.js';

export interface AdminDeps {
  readonly audit: AuditTrail;
  readonly auth: AdminAuth;
  readonly queues?: Pick<Queues, 'counts' | 'oldestPending'> | undefined;
  readonly dagr?: Pick<DagrWatch, 'snapshot'> | undefined;
  readonly logger?: Logger | undefined;
  readonly now?: (() => Date) | undefined;
}

export const WINDOWS = { '1h': 3_600_000, '1d': 86_400_000 } as const;
export type SummaryWindow = keyof typeof WINDOWS;

type Part<T> = T | { readonly error: string };

export interface OpsSummary {
  readonly window: SummaryWindow;
  readonly from: string;
  readonly to: string;
  /** `answered` audit records in the window. */
  readonly exchanges: Part<OutcomeCounts>;
  /** Per queue: jobs in the failed set now (not windowed), and the oldest job not yet done. */
  readonly queues: Part<
    Record<
      string,
      {
        readonly failed: number;
        readonly waiting: number;
        readonly delayed: number;
        readonly active: number;
        readonly oldestPendingSince: string | null;
        readonly oldestPendingAgeSeconds: number | null;
        readonly paused: boolean;
      }
    >
  >;
  readonly dagr: DagrSnapshot | null;
}

async function part<T>(fn: () => Promise<T>): Promise<Part<T>> {
  try {
    return await fn();
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

function isError<T>(p: Part<T>): p is { readonly error: string } {
  return typeof p === 'object' && p !== null && 'error' in p;
}

export async function opsSummary(deps: Omit<AdminDeps, 'auth'>, window: SummaryWindow): Promise<OpsSummary> {
  const now = (deps.now ?? (() => new Date()))();
  const from = new Date(now.getTime() - WINDOWS[window]);
  const queues = deps.queues;
  const [exchanges, q] = await Promise.all([
    part(() => deps.audit.countSince(from)),
    part(async () => {
      if (queues === undefined) throw new Error('queues not available in this process');
      const [counts, oldest] = await Promise.all([queues.counts(), queues.oldestPending()]);
      const out: Record<string, NonNullable<Exclude<OpsSummary['queues'], { error: string }>>[string]> = {};
      for (const [name, c] of Object.entries(counts)) {
        const since = oldest[name as keyof typeof oldest];
        out[name] = {
          failed: c.failed,
          waiting: c.waiting + c.prioritized,
          delayed: c.delayed,
          active: c.active,
          paused: c.paused,
          oldestPendingSince: since === undefined ? null : new Date(since).toISOString(),
          oldestPendingAgeSeconds: since === undefined ? null : Math.max(0, Math.round((now.getTime() - since) / 1000)),
        };
      }
      return out;
    }),
  ]);
  return {
    window,
    from: from.toISOString(),
    to: now.toISOString(),
    exchanges,
    queues: q,
    dagr: deps.dagr?.snapshot() ?? null,
  };
}

/** Audit records as the API shows them (they hold no personal data: the subject is a digest). */
function view(records: readonly AuditRecord[]): { count: number; records: readonly AuditRecord[] } {
  return { count: records.length, records };
}

export function createAdminRouter(deps: AdminDeps): express.Router {
  const router = express.Router();
  const log = deps.logger?.child({ component: 'admin' });
  const api = express.Router();

  api.get('/summary', (req: Request, res: Response, next: NextFunction) => {
    const w = typeof req.query.window === 'string' ? req.query.window : '1h';
    // Own keys only: `in` would let `toString` or `__proto__` through to a 500.
    if (!Object.hasOwn(WINDOWS, w)) throw new HttpProblem('ERR_HTTP_BAD_REQUEST', 'window must be 1h or 1d');
    opsSummary(deps, w as SummaryWindow)
      .then((s) => res.set('Cache-Control', 'no-store').json(s))
      .catch(next);
  });

  api.get('/audit/exchanges/:id', (req: Request, res: Response, next: NextFunction) => {
    const id = String(req.params.id);
    log?.info({ admin: principalOf(req), audit: { lookup: 'exchange' } }, 'audit lookup');
    deps.audit
      .byExchange(id)
      .then((records) => {
        if (records.length === 0)
          throw new HttpProblem(
            'ERR_HTTP_NOT_FOUND',
            'no audit record for this conversation id, request id or exchange reference',
          );
        res.set('Cache-Control', 'no-store').json(view(records));
      })
      .catch(next);
  });

  api.post(
    '/audit/by-subject',
    express.json({ limit: '4kb', strict: true }),
    (req: Request, res: Response, next: NextFunction) => {
      const identifier = (req.body as { identifier?: unknown } | undefined)?.identifier;
      if (typeof identifier !== 'string' || identifier.trim() === '' || identifier.length > 256)
        throw new HttpProblem(
          'ERR_HTTP_BAD_REQUEST',
          'send {"identifier": "<the subject identifier as the exchange used it>"} as application/json',
        );
      log?.info({ admin: principalOf(req), audit: { lookup: 'subject' } }, 'audit lookup');
      deps.audit
        .bySubject(identifier)
        .then((records) => res.set('Cache-Control', 'no-store').json(view(records)))
        .catch(next);
    },
  );

  router.use('/admin/api', deps.auth.authenticate, crossSiteGuard('api'), api);

  router.get('/admin', deps.auth.authenticate, (req: Request, res: Response, next: NextFunction) => {
    Promise.all([opsSummary(deps, '1h'), opsSummary(deps, '1d')])
      .then(([hour, day]) => {
        res
          .set('Cache-Control', 'no-store')
          .set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'")
          .type('html')
          .send(renderPage(hour, day, principalOf(req)?.role ?? 'viewer'));
      })
      .catch(next);
  });
  router.use(httpErrorHandler(deps.logger));
  return router;
}

function table(head: readonly string[], rows: readonly (readonly unknown[])[]): string {
  if (rows.length === 0) return '<p class="none">none</p>';
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function age(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function exchangesBlock(s: OpsSummary): string {
  if (isError(s.exchanges)) return `<p class="bad">unavailable: ${esc(s.exchanges.error)}</p>`;
  const e = s.exchanges;
  return `<p>${e.total} answered</p>${table(
    ['outcome', 'count'],
    Object.entries(e.byOutcome).sort((a, b) => b[1] - a[1]),
  )}${table(
    ['EDM error', 'count'],
    Object.entries(e.byEdmCode).sort((a, b) => b[1] - a[1]),
  )}`;
}

/** The ops page: plain HTML, escaped, no script. */
export function renderPage(hour: OpsSummary, day: OpsSummary, role: string): string {
  const queues = isError(hour.queues)
    ? `<p class="bad">unavailable: ${esc(hour.queues.error)}</p>`
    : table(
        ['queue', 'waiting', 'delayed', 'active', 'failed', 'oldest pending', 'paused'],
        Object.entries(hour.queues).map(([n, q]) => [
          n,
          q.waiting,
          q.delayed,
          q.active,
          q.failed,
          age(q.oldestPendingAgeSeconds),
          q.paused ? 'yes' : 'no',
        ]),
      );
  const d = hour.dagr;
  const dagr =
    d === null
      ? '<p class="none">not watched in this process</p>'
      : `<p>circuit: <b class="${d.circuit === 'closed' ? 'ok' : 'bad'}">${esc(d.circuit)}</b>; permissions checked: ${esc(d.checkedAt ?? 'never')}${
          d.lastError === undefined ? '' : `; <span class="bad">last check failed: ${esc(d.lastError)}</span>`
        }</p>${table(
          ['service', 'permission', 'quota left', 'valid to'],
          d.permissions.map((p) => [p.service, p.permission, p.quotaLeft ?? 'unlimited', p.validTo ?? '—']),
        )}`;
  return htmlDocument({
    title: 'OOTS adapter: operations',
    head: '<meta http-equiv="refresh" content="60">',
    style: `body{font:14px system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;margin:.5em 0 1em}
td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}.bad{color:#a00}.ok{color:#070}.none{color:#777}
.cols{display:flex;gap:3em;flex-wrap:wrap}`,
    body: `<h1>OOTS adapter: operations</h1>
<p>As of ${esc(hour.to)} (signed in as ${esc(role)}). <a href="/admin/queues">Queue dashboard</a> · <a href="/admin/api/summary?window=1d">JSON</a></p>
<div class="cols"><section><h2>Last hour</h2>${exchangesBlock(hour)}</section>
<section><h2>Last day</h2>${exchangesBlock(day)}</section></div>
<h2>Queues</h2>${queues}
<h2>DAGR</h2>${dagr}`,
  });
}
