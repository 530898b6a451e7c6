/**
 * The JSON API of the mappings admin (`/admin/api/mappings…`). Failures are thrown as
 * `HttpProblem`s: the error middleware answers them (src/infra/http-problem.ts).
 */
import express, { type Request, type RequestHandler, type Response } from 'express';
import { HttpProblem } from '../../errors.js';
import type { ChangeResult, UploadResult } from '../../mapping-store/mapping-store.js';
import { describeTry, type TryResult } from '../../mapping-store/try-mapping.js';
import {
  audit,
  mappingForTry,
  positiveInt,
  problemsView,
  tryInputOf,
  who,
  YAML_TYPES,
  type MappingsContext,
  type TryBody,
} from './context.js';

function uploadFailure(r: Extract<UploadResult, { ok: false }>): HttpProblem {
  const extra = { problems: problemsView(r.problems) };
  return r.reason === 'conflict'
    ? new HttpProblem('ERR_HTTP_CONFLICT', 'an evidence type of this mapping is served by another active mapping', {
        extra,
      })
    : new HttpProblem(
        'ERR_HTTP_UNPROCESSABLE',
        `the mapping has ${String(r.problems.length)} problem(s); nothing was stored`,
        { extra },
      );
}

function changeFailure(r: Extract<ChangeResult, { ok: false }>): HttpProblem {
  return new HttpProblem(r.reason === 'not-found' ? 'ERR_HTTP_NOT_FOUND' : 'ERR_HTTP_CONFLICT', r.detail, {
    extra: r.problems === undefined ? {} : { problems: problemsView(r.problems) },
  });
}

function tryView(r: TryResult): Record<string, unknown> {
  return {
    mappingId: r.mappingId,
    mappingVersion: r.mappingVersion,
    lookup: r.lookup,
    match: r.match === undefined ? null : { matched: r.match.matched, failed: r.match.failed },
    summary: r.summary,
    lines: describeTry(r),
    queryResponse: r.responseXml,
    evidence:
      r.evidence === undefined
        ? null
        : {
            mimeType: r.evidence.mimeType,
            fileName: r.evidence.fileName,
            base64: Buffer.from(r.evidence.bytes).toString('base64'),
          },
  };
}

function mountReads(api: express.Router, ctx: MappingsContext): void {
  const { store } = ctx;
  api.get('/mappings', async (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ mappings: await store.list() });
  });

  api.get('/mappings/:id', async (req, res) => {
    const id = String(req.params['id']);
    const [summary, history] = await Promise.all([store.get(id), store.history(id)]);
    if (summary === undefined) throw new HttpProblem('ERR_HTTP_NOT_FOUND', `no mapping ${id}`);
    res.set('Cache-Control', 'no-store').json({ ...summary, history });
  });

  api.get('/mappings/:id/versions/:v', async (req, res) => {
    const id = String(req.params['id']);
    const v = positiveInt(req.params['v']);
    if (v === undefined) throw new HttpProblem('ERR_HTTP_BAD_REQUEST', 'the version is a revision number (1, 2, ...)');
    const text = await store.text(id, v);
    if (text === undefined) throw new HttpProblem('ERR_HTTP_NOT_FOUND', `mapping ${id} has no revision ${String(v)}`);
    res.set('Cache-Control', 'no-store').type('application/yaml; charset=utf-8').send(text);
  });
}

function mountUpload(api: express.Router, ctx: MappingsContext): void {
  const yamlBody = express.text({ type: YAML_TYPES, limit: ctx.maxBytes });
  api.post('/mappings', ctx.auth.requireOperator, yamlBody, async (req: Request, res: Response) => {
    const id = typeof req.query['id'] === 'string' ? req.query['id'] : undefined;
    if (id === undefined)
      throw new HttpProblem(
        'ERR_HTTP_BAD_REQUEST',
        'name the mapping: POST /admin/api/mappings?id=<mapping id> with the YAML text as the body',
      );
    if (typeof req.body !== 'string' || req.body.trim() === '')
      throw new HttpProblem(
        'ERR_HTTP_UNSUPPORTED_MEDIA_TYPE',
        `send the mapping YAML as the body with Content-Type ${YAML_TYPES.slice(0, 3).join(', ')}`,
      );
    const activate = req.query['activate'] === 'true' || req.query['activate'] === '1';
    const r = await ctx.store.upload({ id, text: req.body, actor: who(req), activate: activate ? 'yes' : 'no' });
    if (!r.ok) {
      audit(ctx, req, 'upload-refused', { id, reason: r.reason, problems: r.problems.length });
      throw uploadFailure(r);
    }
    audit(ctx, req, 'uploaded', { id, revision: r.revision, created: r.created, active: r.active });
    res.status(r.created ? 201 : 200).json(r);
  });
}

function mountTry(api: express.Router, ctx: MappingsContext, jsonBody: RequestHandler): void {
  api.post('/mappings/:id/try', ctx.auth.requireOperator, jsonBody, async (req: Request, res: Response) => {
    const id = String(req.params['id']);
    const input = tryInputOf((req.body ?? {}) as TryBody);
    if (typeof input === 'string') throw new HttpProblem('ERR_HTTP_BAD_REQUEST', input);
    const tryer = ctx.deps.tryer;
    if (tryer === undefined)
      throw new HttpProblem(
        'ERR_HTTP_UNAVAILABLE',
        'trying a mapping needs DAGR in this process (see docs/mappings.md)',
      );
    const m = await mappingForTry(ctx.store, id, (req.body as TryBody).version);
    if (typeof m === 'string') throw new HttpProblem('ERR_HTTP_NOT_FOUND', m);
    audit(ctx, req, 'tried', { id, version: m.version });
    res.set('Cache-Control', 'no-store').json(tryView(await tryer(m, input)));
  });
}

function mountChanges(api: express.Router, ctx: MappingsContext, jsonBody: RequestHandler): void {
  const { store, auth } = ctx;
  const change =
    (action: string, run: (req: Request) => Promise<ChangeResult>): RequestHandler =>
    async (req, res) => {
      const r = await run(req);
      if (!r.ok) throw changeFailure(r);
      audit(ctx, req, action, { id: r.id, active: r.active ?? null, changed: r.changed });
      res.json(r);
    };

  api.post(
    '/mappings/:id/versions/:v/activate',
    auth.requireOperator,
    change('activated', (req) => {
      const v = positiveInt(req.params['v']);
      return v === undefined
        ? Promise.resolve({
            ok: false,
            reason: 'not-found',
            detail: 'the version is a revision number (1, 2, ...)',
          } as const)
        : store.activate(String(req.params['id']), v, who(req));
    }),
  );
  api.post(
    '/mappings/:id/deactivate',
    auth.requireOperator,
    change('deactivated', (req) => store.deactivate(String(req.params['id']), who(req))),
  );
  api.post(
    '/mappings/:id/rollback',
    auth.requireOperator,
    jsonBody,
    change('rolled-back', (req) => {
      const to = positiveInt((req.body as { to?: unknown } | undefined)?.to);
      return store.rollback(String(req.params['id']), who(req), to);
    }),
  );
}

/** The API router (mounted under `/admin/api` behind the authentication and the cross-site guard). */
export function mappingsApiRouter(ctx: MappingsContext): express.Router {
  const api = express.Router();
  const jsonBody = express.json({ limit: '16kb', strict: true });
  mountReads(api, ctx);
  mountUpload(api, ctx);
  mountTry(api, ctx, jsonBody);
  mountChanges(api, ctx, jsonBody);
  return api;
}
