/**
 * The DAGR sandbox's data routes: `GET /current_user_permissions`, `GET /service_list`,
 * get-by-object-identifier `GET /{service}/{objectId}` and the attribute search
 * `GET /{service}?Field=value&...` (both: 401 / 403 / 429 / 404 as DAGR would, same envelope; 202
 * with `Retry-After` for a record still being prepared).
 */
import type { Express, NextFunction, Request, Response } from 'express';
import { sendProblem } from '../infra/http-problem.js';
import { keyFieldOf } from './dagr-data-loader.js';
import { searchCriteriaOf, searchFits } from './dagr-sandbox-search.js';
import type { SandboxState } from './dagr-sandbox-state.js';
import { authenticated } from './dagr-sandbox-token.js';

function dateBound(value: string | null, end: boolean): number | undefined {
  if (value === null || value === '') return undefined;
  // A bare date is valid for the whole day.
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T${end ? '23:59:59.999' : '00:00:00.000'}Z` : value;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

export function mountDataRoutes(app: Express, st: SandboxState): void {
  app.get('/current_user_permissions', (req: Request, res: Response) => {
    if (!authenticated(st, req, res)) return;
    res.json(
      st.permissions.map((p) => ({
        ...p,
        access_control_tree: { name: p.service_name, read_access: 'full', properties: null },
      })),
    );
  });

  app.get('/service_list', (_req: Request, res: Response) => {
    res.json(
      st.opts.datasets.map((d) => ({
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

  app.get('/:service/:objectId', (req: Request, res: Response) => getByObjectId(st, req, res));
  // Without a query it is no search: the path stays "no such route".
  app.get('/:service', (req: Request, res: Response, next: NextFunction) => {
    if (Object.keys(req.query).length === 0) next();
    else searchByAttributes(st, req, res);
  });
}

/**
 * What every data call goes through, in DAGR's order: the fault knob, the token, the permission for
 * this service (valid now, within its quota; counted), the service. Undefined once it has answered.
 */
type DatasetEntry = SandboxState['index'] extends Map<string, infer E> ? E : never;

function admit(st: SandboxState, req: Request, res: Response, service: string): DatasetEntry | undefined {
  const { counters, knobs } = st;
  counters.dataRequests += 1;
  if (knobs.failNext !== null) {
    const { status, retryAfterSeconds } = knobs.failNext;
    knobs.failNext = knobs.failNext.count > 1 ? { ...knobs.failNext, count: knobs.failNext.count - 1 } : null;
    if (retryAfterSeconds !== undefined) res.set('Retry-After', String(retryAfterSeconds));
    sendProblem(res, status, status === 429 ? 'Too Many Requests' : 'Service Unavailable', 'fault knob');
    return undefined;
  }
  if (!authenticated(st, req, res)) return undefined;
  const permissionNumber = req.get('x-dagr-permission');
  const permission = st.permissions.find((p) => p.service_name === service && p.permission_number === permissionNumber);
  if (permission === undefined) {
    sendProblem(res, 403, 'Forbidden', 'X-DAGR-Permission does not name a permission for this service');
    return undefined;
  }
  const now = st.clock();
  const from = dateBound(permission.valid_from, false);
  const to = dateBound(permission.valid_to, true);
  if ((from !== undefined && now < from) || (to !== undefined && now > to)) {
    sendProblem(res, 403, 'Forbidden', 'the permission is not valid now');
    return undefined;
  }
  if (permission.use_count_quota !== null && permission.use_count >= permission.use_count_quota) {
    sendProblem(res, 429, 'Too Many Requests', 'the permission use quota is exhausted');
    return undefined;
  }
  const entry = st.index.get(service);
  if (entry === undefined) {
    sendProblem(res, 404, 'Not Found', 'no such service');
    return undefined;
  }
  Object.assign(permission, { use_count: permission.use_count + 1 });
  return entry;
}

function getByObjectId(st: SandboxState, req: Request, res: Response): void {
  const service = String(req.params['service']);
  const objectId = String(req.params['objectId']);
  const entry = admit(st, req, res, service);
  if (entry === undefined) return;
  if (stillPreparing(st, service, objectId, res)) return;
  const records = st.knobs.notFound.has(objectId) ? undefined : entry.byKey.get(objectId);
  answerRecords(st, res, records);
}

/** `GET /{service}?Field=value&...`: the records whose fields fit every parameter (searchFits). */
function searchByAttributes(st: SandboxState, req: Request, res: Response): void {
  const service = String(req.params['service']);
  const criteria = searchCriteriaOf(req.query);
  if (criteria === undefined) {
    sendProblem(res, 400, 'Bad Request', 'an attribute search needs one or more Field=value parameters, each once');
    return;
  }
  const entry = admit(st, req, res, service);
  if (entry === undefined) return;
  const found = entry.dataset.records.filter((r) => searchFits(r, criteria));
  answerRecords(st, res, found.length === 0 ? undefined : found);
}

function answerRecords(st: SandboxState, res: Response, records: readonly unknown[] | undefined): void {
  const { opts, counters } = st;
  if (records === undefined) {
    counters.notFound += 1;
    if (opts.notFoundStyle === 'empty') res.json(opts.responseShape === 'bare' ? [] : { data: [] });
    else sendProblem(res, 404, 'Not Found', 'no record for this object id');
    return;
  }
  counters.found += 1;
  res.json(opts.responseShape === 'bare' ? records : { data: records });
}

/**
 * A record being prepared (`being_prepared.json`): from its first lookup it takes the preparation
 * delay; until then every lookup answers 202 with the seconds left as `Retry-After`.
 */
function stillPreparing(st: SandboxState, service: string, objectId: string, res: Response): boolean {
  const id = `${service}\n${objectId}`;
  if (!st.preparing.has(id)) return false;
  const now = st.clock();
  const since = st.preparing.get(id) ?? now;
  st.preparing.set(id, since);
  const leftMs = since + (st.opts.preparingDelaySeconds ?? 2) * 1000 - now;
  if (leftMs <= 0) return false;
  st.counters.deferred += 1;
  res
    .status(202)
    .set('Retry-After', String(Math.ceil(leftMs / 1000)))
    .json({ status: 'being prepared' });
  return true;
}
