/**
 * The mappings admin page (`/admin/mappings…`): no script; forms with a CSRF token; after a
 * change a 303 back to the page with a signed "done" banner. A page that reports a failure is
 * answered with the status of its error code (src/errors.ts); refusals (stale form, a try result
 * that is gone) are problem+json, thrown to the error middleware.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import express, { type Request, type RequestHandler, type Response } from 'express';
import { HttpProblem, httpStatusOf, type ErrorCode } from '../../errors.js';
import type { ChangeResult } from '../../mapping-store/mapping-store.js';
import { principalOf } from '../auth.js';
import { requestOrigin } from '../cross-site.js';
import { audit, mappingForTry, positiveInt, tryInputOf, who, type MappingsContext } from './context.js';
import { renderMappingsPage, renderTryResult, type Message } from './page-html.js';

const CSRF_TTL_S = 4 * 3600;
const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

function csrfToken(ctx: MappingsContext, user: string): string {
  const exp = Math.floor(ctx.now().getTime() / 1000) + CSRF_TTL_S;
  const mac = createHmac('sha256', ctx.csrfKey)
    .update(`csrf|${user}|${String(exp)}`)
    .digest('base64url');
  return `${String(exp)}.${mac}`;
}

function csrfOk(ctx: MappingsContext, user: string, token: unknown): boolean {
  if (typeof token !== 'string') return false;
  const [exp, mac] = token.split('.');
  if (exp === undefined || mac === undefined || !/^\d+$/.test(exp) || Number(exp) < ctx.now().getTime() / 1000)
    return false;
  const expected = createHmac('sha256', ctx.csrfKey).update(`csrf|${user}|${exp}`).digest();
  const given = Buffer.from(mac, 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Operator, same-origin (when the browser says), valid token: else 403. */
function guardForm(ctx: MappingsContext): RequestHandler {
  return (req, _res, next) => {
    const token = (req.body as Record<string, unknown> | undefined)?.['csrf'];
    if (requestOrigin(req) === 'foreign' || !csrfOk(ctx, who(req), token)) {
      next(
        new HttpProblem(
          'ERR_HTTP_FORBIDDEN',
          'the form is stale or was not sent from this page: reload /admin/mappings and try again',
        ),
      );
      return;
    }
    next();
  };
}

/** The page; `failure` names the error code whose status answers it (none: 200). */
async function sendPage(
  ctx: MappingsContext,
  req: Request,
  res: Response,
  failure: ErrorCode | undefined,
  body: { message?: Message; result?: string },
): Promise<void> {
  const mappings = await ctx.store.list();
  res
    .status(failure === undefined ? 200 : httpStatusOf(failure))
    .set('Cache-Control', 'no-store')
    .set('Content-Security-Policy', PAGE_CSP)
    .type('html')
    .send(
      renderMappingsPage({
        mappings,
        role: principalOf(req)?.role ?? 'viewer',
        csrf: csrfToken(ctx, who(req)),
        ...body,
      }),
    );
}

// The "ok" banner shows only what this router wrote after a change: the text comes back signed,
// so a link made elsewhere (`?done=Mapping X was approved by the security team`) shows nothing.
const doneMac = (ctx: MappingsContext, text: string): string =>
  createHmac('sha256', ctx.csrfKey).update(`done|${text}`).digest('base64url');

function redirectDone(ctx: MappingsContext, res: Response, text: string): void {
  res.redirect(303, `/admin/mappings?done=${encodeURIComponent(text)}&sig=${doneMac(ctx, text)}`);
}

function signedDone(ctx: MappingsContext, done: unknown, sig: unknown): string | undefined {
  if (typeof done !== 'string' || typeof sig !== 'string') return undefined;
  const expected = Buffer.from(doneMac(ctx, done));
  const given = Buffer.from(sig);
  return given.length === expected.length && timingSafeEqual(given, expected) ? done.slice(0, 300) : undefined;
}

function mountView(page: express.Router, ctx: MappingsContext): void {
  page.get('/admin/mappings', async (req, res) => {
    const done = signedDone(ctx, req.query['done'], req.query['sig']);
    await sendPage(ctx, req, res, undefined, done === undefined ? {} : { message: { kind: 'ok', text: done } });
  });
}

function mountUpload(page: express.Router, ctx: MappingsContext, form: RequestHandler[]): void {
  page.post('/admin/mappings/upload', ...form, async (req, res) => {
    const b = req.body as Record<string, unknown>;
    const id = typeof b['id'] === 'string' ? b['id'].trim() : '';
    const text = typeof b['text'] === 'string' ? b['text'].replace(/\r\n/g, '\n') : '';
    const r = await ctx.store.upload({ id, text, actor: who(req), activate: b['activate'] === 'on' ? 'yes' : 'no' });
    if (!r.ok) {
      audit(ctx, req, 'upload-refused', { id, reason: r.reason, problems: r.problems.length });
      await sendPage(ctx, req, res, r.reason === 'conflict' ? 'ERR_HTTP_CONFLICT' : 'ERR_HTTP_UNPROCESSABLE', {
        message: {
          kind: 'bad',
          text: `Not stored: ${String(r.problems.length)} problem(s) in ${id || 'the mapping'}`,
          problems: r.problems,
        },
      });
      return;
    }
    audit(ctx, req, 'uploaded', { id, revision: r.revision, created: r.created, active: r.active });
    redirectDone(
      ctx,
      res,
      `${r.id} ${r.version} ${r.created ? 'stored' : 'was already stored'}${r.active ? ', active' : ''}`,
    );
  });
}

function mountTry(page: express.Router, ctx: MappingsContext, form: RequestHandler[]): void {
  page.post('/admin/mappings/try', ...form, async (req, res) => {
    const b = req.body as Record<string, unknown>;
    const id = typeof b['id'] === 'string' ? b['id'] : '';
    const input = tryInputOf(b);
    const tryer = ctx.deps.tryer;
    if (typeof input === 'string' || tryer === undefined) {
      await sendPage(ctx, req, res, typeof input === 'string' ? 'ERR_HTTP_BAD_REQUEST' : 'ERR_HTTP_UNAVAILABLE', {
        message: {
          kind: 'bad',
          text: typeof input === 'string' ? input : 'trying a mapping needs DAGR in this process',
        },
      });
      return;
    }
    const m = await mappingForTry(ctx.store, id, b['version']);
    if (typeof m === 'string') {
      await sendPage(ctx, req, res, 'ERR_HTTP_NOT_FOUND', { message: { kind: 'bad', text: m } });
      return;
    }
    audit(ctx, req, 'tried', { id, version: m.version });
    const r = await tryer(m, input);
    const token = r.evidence === undefined ? undefined : await ctx.deps.tries.put({ user: who(req), ...r.evidence });
    await sendPage(ctx, req, res, undefined, { result: renderTryResult(r, token) });
  });

  page.get('/admin/mappings/try/:token/evidence', ctx.auth.requireOperator, async (req, res) => {
    const t = await ctx.deps.tries.get(String(req.params['token']), who(req));
    if (t === undefined)
      throw new HttpProblem('ERR_HTTP_NOT_FOUND', 'this try result is gone (they are kept 10 minutes): try again');
    res
      .set('Cache-Control', 'no-store')
      .set('Content-Disposition', `inline; filename="${t.fileName}"`)
      .type(t.mimeType)
      .send(Buffer.from(t.bytes));
  });
}

function mountChanges(page: express.Router, ctx: MappingsContext, form: RequestHandler[]): void {
  const { store } = ctx;
  const pageChange =
    (label: string, run: (req: Request) => Promise<ChangeResult>): RequestHandler =>
    async (req, res) => {
      const r = await run(req);
      if (!r.ok) {
        await sendPage(ctx, req, res, r.reason === 'not-found' ? 'ERR_HTTP_NOT_FOUND' : 'ERR_HTTP_CONFLICT', {
          message: { kind: 'bad', text: r.detail, problems: r.problems },
        });
        return;
      }
      audit(ctx, req, label, { id: r.id, active: r.active ?? null, changed: r.changed });
      redirectDone(ctx, res, `${r.id}: ${label}${r.version === undefined ? '' : ` (${r.version} is active)`}`);
    };
  page.post(
    '/admin/mappings/:id/activate',
    ...form,
    pageChange('activated', (req) => {
      const v = positiveInt((req.body as Record<string, unknown>)['version']);
      return v === undefined
        ? Promise.resolve({ ok: false, reason: 'not-found', detail: 'no version chosen' } as const)
        : store.activate(String(req.params['id']), v, who(req));
    }),
  );
  page.post(
    '/admin/mappings/:id/deactivate',
    ...form,
    pageChange('deactivated', (req) => store.deactivate(String(req.params['id']), who(req))),
  );
  page.post(
    '/admin/mappings/:id/rollback',
    ...form,
    pageChange('rolled back', (req) => store.rollback(String(req.params['id']), who(req))),
  );
}

/** The page router (mount behind the authentication and the cross-site guard of `/admin/mappings`). */
export function mappingsPageRouter(ctx: MappingsContext): express.Router {
  const page = express.Router();
  const parse = express.urlencoded({ extended: false, limit: ctx.maxBytes + 4096, parameterLimit: 20 });
  const form = [ctx.auth.requireOperator, parse, guardForm(ctx)];
  mountView(page, ctx);
  mountUpload(page, ctx, form);
  mountTry(page, ctx, form);
  mountChanges(page, ctx, form);
  return page;
}
