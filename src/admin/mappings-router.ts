/**
 * The admin API and page for evidence mappings, behind the admin basic auth (`viewer` reads;
 * `operator` uploads, tries, activates, deactivates and rolls back). OpenAPI: docs/openapi-admin.yaml.
 *
 *   GET  /admin/api/mappings                         list with status, active version and revisions
 *   POST /admin/api/mappings?id=ID[&activate=true]   upload a YAML text (body); 422 with the
 *                                                    `mappings validate` problems, 409 on an
 *                                                    evidence type served by another active mapping
 *   GET  /admin/api/mappings/:id                     one mapping, with its history
 *   GET  /admin/api/mappings/:id/versions/:v         the stored text of revision v (YAML)
 *   POST /admin/api/mappings/:id/try                 {subject, format?, version?, familyName?, ...}
 *                                                    → the match, the summary, the QueryResponse and
 *                                                    the evidence (base64)
 *   POST /admin/api/mappings/:id/versions/:v/activate
 *   POST /admin/api/mappings/:id/deactivate
 *   POST /admin/api/mappings/:id/rollback            optional {to: v}; default the previous active one
 *
 *   GET  /admin/mappings                             the page (no script; forms with a CSRF token)
 *   POST /admin/mappings/upload | /try | /:id/activate | /:id/deactivate | /:id/rollback
 *   GET  /admin/mappings/try/:token/evidence         the evidence of a try from the page (10 min)
 *
 * Every change and every try is logged with the admin user (never the subject tried).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { MappingProblem } from '../mapping/parse.js';
import { principalOf, type AdminAuth } from './auth.js';
import { crossSiteGuard, requestOrigin } from './cross-site.js';
import type { Logger } from '../infra/logger.js';
import type { ChangeResult, MappingStore, MappingSummary, UploadResult } from '../mapping-store/mapping-store.js';
import { describeTry, type TryInput, type TryResult } from '../mapping-store/try-mapping.js';
import type { EvidenceMapping } from '../mapping/model.js';

export type MappingTryer = (mapping: EvidenceMapping, input: TryInput) => Promise<TryResult>;

export interface MappingsAdminDeps {
  readonly store: MappingStore;
  readonly auth: AdminAuth;
  /** Runs a try (`createMappingTryer` over the DAGR client and renderer); without it try answers 503. */
  readonly tryer?: MappingTryer | undefined;
  readonly logger?: Logger | undefined;
  /**
   * Key of the page's CSRF tokens (32 bytes). Give every api process the same one (e.g. derived
   * from ENCRYPTION_KEY) so a form served by one process posts to another; default random.
   */
  readonly csrfKey?: Buffer | undefined;
  /** Largest mapping text accepted, bytes. Default 256 KiB. */
  readonly maxBytes?: number | undefined;
  readonly now?: (() => Date) | undefined;
}

// Not text/plain: a cross-site form can send that type (see src/admin/cross-site.ts).
const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];
const TRY_TTL_MS = 10 * 60_000;
const CSRF_TTL_S = 4 * 3600;
const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

function problemJson(
  res: Response,
  status: number,
  title: string,
  detail: string,
  extra: Record<string, unknown> = {},
): void {
  res
    .status(status)
    .type('application/problem+json')
    .send(JSON.stringify({ type: 'about:blank', title, status, detail, ...extra }));
}

function problemsView(problems: readonly MappingProblem[]) {
  return problems.map((p) => ({
    file: p.file,
    line: p.line ?? null,
    column: p.column ?? null,
    field: p.field,
    message: p.message,
    hint: p.hint,
  }));
}

function uploadFailure(res: Response, r: Extract<UploadResult, { ok: false }>): void {
  if (r.reason === 'conflict')
    problemJson(res, 409, 'Conflict', 'an evidence type of this mapping is served by another active mapping', {
      problems: problemsView(r.problems),
    });
  else
    problemJson(
      res,
      422,
      'Unprocessable Content',
      `the mapping has ${String(r.problems.length)} problem(s); nothing was stored`,
      {
        problems: problemsView(r.problems),
      },
    );
}

function changeFailure(res: Response, r: Extract<ChangeResult, { ok: false }>): void {
  const status = r.reason === 'not-found' ? 404 : 409;
  problemJson(
    res,
    status,
    status === 404 ? 'Not Found' : 'Conflict',
    r.detail,
    r.problems === undefined ? {} : { problems: problemsView(r.problems) },
  );
}

function positiveInt(v: unknown): number | undefined {
  return typeof v === 'string' && /^[1-9]\d{0,8}$/.test(v)
    ? Number(v)
    : typeof v === 'number' && Number.isSafeInteger(v) && v > 0
      ? v
      : undefined;
}

interface TryBody {
  subject?: unknown;
  format?: unknown;
  version?: unknown;
  familyName?: unknown;
  givenName?: unknown;
  dateOfBirth?: unknown;
  legalName?: unknown;
}

function tryInputOf(body: TryBody): TryInput | string {
  const s = (v: unknown): string | undefined =>
    typeof v === 'string' && v.trim() !== '' && v.length <= 256 ? v.trim() : undefined;
  const subject = s(body.subject);
  if (subject === undefined)
    return 'subject is required: a personal code, registration number or eIDAS identifier of a test subject';
  const format = s(body.format);
  if (format !== undefined && !['pdf', 'xml', 'application/pdf', 'application/xml'].includes(format))
    return 'format must be pdf or xml';
  return {
    subject: {
      id: subject,
      familyName: s(body.familyName),
      givenName: s(body.givenName),
      dateOfBirth: s(body.dateOfBirth),
      legalName: s(body.legalName),
    },
    format,
  };
}

export function createMappingsAdminRouter(deps: MappingsAdminDeps): express.Router {
  const { store, auth } = deps;
  const log = deps.logger?.child({ component: 'admin-mappings' });
  const now = deps.now ?? (() => new Date());
  const csrfKey = deps.csrfKey ?? randomBytes(32);
  const maxBytes = deps.maxBytes ?? 256 * 1024;
  const who = (req: Request): string => principalOf(req)?.user ?? 'unknown';
  const audit = (req: Request, action: string, fields: Record<string, unknown>): void =>
    log?.info({ admin: principalOf(req), mappings: { action, ...fields } }, `mapping ${action}`);

  /** The mapping to try: revision `version`, else the active one, else the newest. */
  async function mappingForTry(id: string, version: unknown): Promise<EvidenceMapping | string> {
    const summary = await store.get(id);
    if (summary === undefined) return `no mapping ${id}`;
    const rev = positiveInt(version) ?? summary.active ?? summary.revisions[0]?.revision;
    if (rev === undefined) return `mapping ${id} has no revision`;
    const m = await store.mapping(id, rev);
    return m ?? `mapping ${id} has no revision ${String(rev)}`;
  }

  // ------------------------------------------------------------------ JSON API
  const api = express.Router();
  const yamlBody = express.text({ type: YAML_TYPES, limit: maxBytes });
  const jsonBody = express.json({ limit: '16kb', strict: true });

  api.get('/mappings', (_req, res, next) => {
    store
      .list()
      .then((mappings) => res.set('Cache-Control', 'no-store').json({ mappings }))
      .catch(next);
  });

  api.post('/mappings', auth.requireOperator, yamlBody, (req: Request, res: Response, next: NextFunction) => {
    const id = typeof req.query['id'] === 'string' ? req.query['id'] : undefined;
    if (id === undefined) {
      problemJson(
        res,
        400,
        'Bad Request',
        'name the mapping: POST /admin/api/mappings?id=<mapping id> with the YAML text as the body',
      );
      return;
    }
    if (typeof req.body !== 'string' || req.body.trim() === '') {
      problemJson(
        res,
        415,
        'Unsupported Media Type',
        `send the mapping YAML as the body with Content-Type ${YAML_TYPES.slice(0, 3).join(', ')}`,
      );
      return;
    }
    const activate = req.query['activate'] === 'true' || req.query['activate'] === '1';
    store
      .upload({ id, text: req.body, actor: who(req), activate: activate ? 'yes' : 'no' })
      .then((r) => {
        if (!r.ok) {
          audit(req, 'upload-refused', { id, reason: r.reason, problems: r.problems.length });
          uploadFailure(res, r);
          return;
        }
        audit(req, 'uploaded', { id, revision: r.revision, created: r.created, active: r.active });
        res.status(r.created ? 201 : 200).json(r);
      })
      .catch(next);
  });

  api.get('/mappings/:id', (req, res, next) => {
    const id = String(req.params['id']);
    Promise.all([store.get(id), store.history(id)])
      .then(([summary, history]) => {
        if (summary === undefined) problemJson(res, 404, 'Not Found', `no mapping ${id}`);
        else res.set('Cache-Control', 'no-store').json({ ...summary, history });
      })
      .catch(next);
  });

  api.get('/mappings/:id/versions/:v', (req, res, next) => {
    const id = String(req.params['id']);
    const v = positiveInt(req.params['v']);
    if (v === undefined) {
      problemJson(res, 400, 'Bad Request', 'the version is a revision number (1, 2, ...)');
      return;
    }
    store
      .text(id, v)
      .then((text) => {
        if (text === undefined) problemJson(res, 404, 'Not Found', `mapping ${id} has no revision ${String(v)}`);
        else res.set('Cache-Control', 'no-store').type('application/yaml; charset=utf-8').send(text);
      })
      .catch(next);
  });

  api.post('/mappings/:id/try', auth.requireOperator, jsonBody, (req: Request, res: Response, next: NextFunction) => {
    const id = String(req.params['id']);
    const input = tryInputOf((req.body ?? {}) as TryBody);
    if (typeof input === 'string') {
      problemJson(res, 400, 'Bad Request', input);
      return;
    }
    const tryer = deps.tryer;
    if (tryer === undefined) {
      problemJson(
        res,
        503,
        'Service Unavailable',
        'trying a mapping needs DAGR in this process (see docs/mappings.md)',
      );
      return;
    }
    mappingForTry(id, (req.body as TryBody).version)
      .then(async (m) => {
        if (typeof m === 'string') {
          problemJson(res, 404, 'Not Found', m);
          return;
        }
        audit(req, 'tried', { id, version: m.version });
        const r = await tryer(m, input);
        res.set('Cache-Control', 'no-store').json({
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
        });
      })
      .catch(next);
  });

  const change =
    (action: string, run: (req: Request) => Promise<ChangeResult>): RequestHandler =>
    (req, res, next) => {
      run(req)
        .then((r) => {
          if (!r.ok) {
            changeFailure(res, r);
            return;
          }
          audit(req, action, { id: r.id, active: r.active ?? null, changed: r.changed });
          res.json(r);
        })
        .catch(next);
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

  // ------------------------------------------------------------------ the page
  const page = express.Router();
  const form = express.urlencoded({ extended: false, limit: maxBytes + 4096, parameterLimit: 20 });
  const tries = new Map<string, { at: number; user: string; mimeType: string; fileName: string; bytes: Uint8Array }>();

  const csrfToken = (user: string): string => {
    const exp = Math.floor(now().getTime() / 1000) + CSRF_TTL_S;
    const mac = createHmac('sha256', csrfKey)
      .update(`csrf|${user}|${String(exp)}`)
      .digest('base64url');
    return `${String(exp)}.${mac}`;
  };
  const csrfOk = (user: string, token: unknown): boolean => {
    if (typeof token !== 'string') return false;
    const [exp, mac] = token.split('.');
    if (exp === undefined || mac === undefined || !/^\d+$/.test(exp) || Number(exp) < now().getTime() / 1000)
      return false;
    const expected = createHmac('sha256', csrfKey).update(`csrf|${user}|${exp}`).digest();
    const given = Buffer.from(mac, 'base64url');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  /** Operator, same-origin (when the browser says), valid token: else 403. */
  const guardForm: RequestHandler = (req, res, next) => {
    if (
      requestOrigin(req) === 'foreign' ||
      !csrfOk(who(req), (req.body as Record<string, unknown> | undefined)?.['csrf'])
    ) {
      problemJson(
        res,
        403,
        'Forbidden',
        'the form is stale or was not sent from this page: reload /admin/mappings and try again',
      );
      return;
    }
    next();
  };

  const sendPage = (
    req: Request,
    res: Response,
    status: number,
    body: { message?: Message; result?: string },
  ): Promise<void> =>
    store.list().then((mappings) => {
      res
        .status(status)
        .set('Cache-Control', 'no-store')
        .set('Content-Security-Policy', PAGE_CSP)
        .type('html')
        .send(
          renderMappingsPage({
            mappings,
            role: principalOf(req)?.role ?? 'viewer',
            csrf: csrfToken(who(req)),
            ...body,
          }),
        );
    });

  // The "ok" banner shows only what this router wrote after a change: the text comes back signed,
  // so a link made elsewhere (`?done=Mapping X was approved by the security team`) shows nothing.
  const doneMac = (text: string): string => createHmac('sha256', csrfKey).update(`done|${text}`).digest('base64url');
  const redirectDone = (res: Response, text: string): void => {
    res.redirect(303, `/admin/mappings?done=${encodeURIComponent(text)}&sig=${doneMac(text)}`);
  };
  const signedDone = (done: unknown, sig: unknown): string | undefined => {
    if (typeof done !== 'string' || typeof sig !== 'string') return undefined;
    const expected = Buffer.from(doneMac(done));
    const given = Buffer.from(sig);
    return given.length === expected.length && timingSafeEqual(given, expected) ? done.slice(0, 300) : undefined;
  };

  page.get('/admin/mappings', (req, res, next) => {
    const done = signedDone(req.query['done'], req.query['sig']);
    sendPage(req, res, 200, done === undefined ? {} : { message: { kind: 'ok', text: done } }).catch(next);
  });

  page.post('/admin/mappings/upload', auth.requireOperator, form, guardForm, (req, res, next) => {
    const b = req.body as Record<string, unknown>;
    const id = typeof b['id'] === 'string' ? b['id'].trim() : '';
    const text = typeof b['text'] === 'string' ? b['text'].replace(/\r\n/g, '\n') : '';
    store
      .upload({ id, text, actor: who(req), activate: b['activate'] === 'on' ? 'yes' : 'no' })
      .then(async (r) => {
        if (!r.ok) {
          audit(req, 'upload-refused', { id, reason: r.reason, problems: r.problems.length });
          await sendPage(req, res, r.reason === 'conflict' ? 409 : 422, {
            message: {
              kind: 'bad',
              text: `Not stored: ${String(r.problems.length)} problem(s) in ${id || 'the mapping'}`,
              problems: r.problems,
            },
          });
          return;
        }
        audit(req, 'uploaded', { id, revision: r.revision, created: r.created, active: r.active });
        redirectDone(
          res,
          `${r.id} ${r.version} ${r.created ? 'stored' : 'was already stored'}${r.active ? ', active' : ''}`,
        );
      })
      .catch(next);
  });

  page.post('/admin/mappings/try', auth.requireOperator, form, guardForm, (req, res, next) => {
    const b = req.body as Record<string, unknown>;
    const id = typeof b['id'] === 'string' ? b['id'] : '';
    const input = tryInputOf(b);
    const tryer = deps.tryer;
    if (typeof input === 'string' || tryer === undefined) {
      sendPage(req, res, typeof input === 'string' ? 400 : 503, {
        message: {
          kind: 'bad',
          text: typeof input === 'string' ? input : 'trying a mapping needs DAGR in this process',
        },
      }).catch(next);
      return;
    }
    mappingForTry(id, b['version'])
      .then(async (m) => {
        if (typeof m === 'string') {
          await sendPage(req, res, 404, { message: { kind: 'bad', text: m } });
          return;
        }
        audit(req, 'tried', { id, version: m.version });
        const r = await tryer(m, input);
        let token: string | undefined;
        if (r.evidence !== undefined) {
          const at = now().getTime();
          for (const [k, v] of tries) if (at - v.at > TRY_TTL_MS || tries.size > 50) tries.delete(k);
          token = randomBytes(18).toString('base64url');
          tries.set(token, { at, user: who(req), ...r.evidence });
        }
        await sendPage(req, res, 200, { result: renderTryResult(r, token) });
      })
      .catch(next);
  });

  page.get('/admin/mappings/try/:token/evidence', auth.requireOperator, (req, res) => {
    const t = tries.get(String(req.params['token']));
    if (t === undefined || t.user !== who(req) || now().getTime() - t.at > TRY_TTL_MS) {
      problemJson(res, 404, 'Not Found', 'this try result is gone (they are kept 10 minutes): try again');
      return;
    }
    res
      .set('Cache-Control', 'no-store')
      .set('Content-Disposition', `inline; filename="${t.fileName}"`)
      .type(t.mimeType)
      .send(Buffer.from(t.bytes));
  });

  const pageChange = (label: string, run: (req: Request) => Promise<ChangeResult>): RequestHandler[] => [
    auth.requireOperator,
    form,
    guardForm,
    (req, res, next) => {
      run(req)
        .then(async (r) => {
          if (!r.ok) {
            await sendPage(req, res, r.reason === 'not-found' ? 404 : 409, {
              message: { kind: 'bad', text: r.detail, problems: r.problems },
            });
            return;
          }
          audit(req, label, { id: r.id, active: r.active ?? null, changed: r.changed });
          redirectDone(res, `${r.id}: ${label}${r.version === undefined ? '' : ` (${r.version} is active)`}`);
        })
        .catch(next);
    },
  ];
  page.post(
    '/admin/mappings/:id/activate',
    ...pageChange('activated', (req) => {
      const v = positiveInt((req.body as Record<string, unknown>)['version']);
      return v === undefined
        ? Promise.resolve({ ok: false, reason: 'not-found', detail: 'no version chosen' } as const)
        : store.activate(String(req.params['id']), v, who(req));
    }),
  );
  page.post(
    '/admin/mappings/:id/deactivate',
    ...pageChange('deactivated', (req) => store.deactivate(String(req.params['id']), who(req))),
  );
  page.post(
    '/admin/mappings/:id/rollback',
    ...pageChange('rolled back', (req) => store.rollback(String(req.params['id']), who(req))),
  );

  const router = express.Router();
  router.use('/admin/api', auth.authenticate, crossSiteGuard('api'), api);
  router.use('/admin/mappings', auth.authenticate, crossSiteGuard('page'));
  router.use(page);
  return router;
}

/** The page's CSRF key from the adapter's ENCRYPTION_KEY: the same in every api process. */
export function deriveCsrfKey(encryptionKey: Buffer): Buffer {
  return createHmac('sha256', encryptionKey).update('oots-adapter/mappings-csrf').digest();
}

// ---------------------------------------------------------------------------------------------
// HTML (escaped, no script)

interface Message {
  readonly kind: 'ok' | 'bad';
  readonly text: string;
  readonly problems?: readonly MappingProblem[] | undefined;
}

function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => `&#${String(c.charCodeAt(0))};`);
}

function hidden(csrf: string): string {
  return `<input type="hidden" name="csrf" value="${esc(csrf)}">`;
}

export function renderTryResult(r: TryResult, evidenceToken: string | undefined): string {
  const evidence =
    r.evidence === undefined
      ? '<p class="none">no evidence in the answer</p>'
      : r.evidence.mimeType === 'application/pdf'
        ? `<p><a id="try-evidence" href="/admin/mappings/try/${esc(evidenceToken ?? '')}/evidence">Open the PDF evidence (${esc(r.evidence.fileName)})</a></p>`
        : `<p><a id="try-evidence" href="/admin/mappings/try/${esc(evidenceToken ?? '')}/evidence">${esc(r.evidence.fileName)}</a></p><pre id="try-evidence-xml">${esc(Buffer.from(r.evidence.bytes).toString('utf8'))}</pre>`;
  return `<section id="try-result"><h2>Try: ${esc(r.mappingId)} ${esc(r.mappingVersion)}</h2>
<ul>${describeTry(r)
    .slice(1)
    .map((l) => `<li>${esc(l)}</li>`)
    .join('')}</ul>
<h3>Evidence</h3>${evidence}
<h3>QueryResponse the requester receives</h3><pre id="try-response">${esc(r.responseXml)}</pre></section>`;
}

export function renderMappingsPage(input: {
  mappings: readonly MappingSummary[];
  role: string;
  csrf: string;
  message?: Message | undefined;
  result?: string | undefined;
}): string {
  const operator = input.role === 'operator';
  const csrf = hidden(input.csrf);
  const message =
    input.message === undefined
      ? ''
      : `<div id="message" class="msg ${input.message.kind}"><p>${esc(input.message.text)}</p>${
          input.message.problems === undefined || input.message.problems.length === 0
            ? ''
            : `<ul id="problems">${input.message.problems
                .map(
                  (p) =>
                    `<li>${esc(p.line === undefined ? p.file : `${p.file}:${String(p.line)}`)} <b>${esc(p.field)}</b>: ${esc(p.message)}. <i>Fix: ${esc(p.hint)}</i></li>`,
                )
                .join('')}</ul>`
        }</div>`;
  const rows = input.mappings
    .map((m) => {
      const actions = operator
        ? `${m.status === 'active' ? `<form method="post" action="/admin/mappings/${esc(m.id)}/deactivate">${csrf}<button>Deactivate</button></form>` : ''}
<form method="post" action="/admin/mappings/${esc(m.id)}/rollback">${csrf}<button>Roll back</button></form>`
        : '';
      const revisions = m.revisions
        .map(
          (r) =>
            `<li>${esc(r.version)} <small>${esc(r.source)} by ${esc(r.uploadedBy)}, ${esc(r.uploadedAt)}</small>${
              r.active
                ? ' <b class="ok">active</b>'
                : operator
                  ? ` <form class="inline" method="post" action="/admin/mappings/${esc(m.id)}/activate">${csrf}<input type="hidden" name="version" value="${String(r.revision)}"><button>Activate</button></form>`
                  : ''
            }</li>`,
        )
        .join('');
      return `<tr id="mapping-${esc(m.id)}"><td><b>${esc(m.id)}</b><br><small>${esc(m.title?.en ?? '')}</small></td><td class="${m.status === 'active' ? 'ok' : 'none'}">${esc(m.status)}</td><td>${esc(m.activeVersion ?? '—')}</td><td><ul>${revisions}</ul></td><td>${actions}</td></tr>`;
    })
    .join('\n');
  const options = input.mappings.map((m) => `<option value="${esc(m.id)}">${esc(m.id)}</option>`).join('');
  const forms = operator
    ? `<section><h2>Upload a mapping or a new version</h2>
<form id="upload" method="post" action="/admin/mappings/upload">${csrf}
<p><label>Mapping id (the file name without .yaml) <input name="id" required pattern="[a-z0-9](?:[a-z0-9]|-)*" size="40"></label></p>
<p><label>YAML<br><textarea name="text" rows="18" cols="100" required spellcheck="false"></textarea></label></p>
<p><label><input type="checkbox" name="activate"> activate after upload</label></p>
<p><button>Check and store</button></p></form></section>
<section><h2>Try a mapping on a test subject</h2>
<form id="try" method="post" action="/admin/mappings/try">${csrf}
<p><label>Mapping <select name="id">${options}</select></label>
<label>Revision <input name="version" size="4" placeholder="active"></label></p>
<p><label>Subject (personal code, registration number or eIDAS identifier) <input name="subject" required size="30"></label>
<label>Format <select name="format"><option value="">first offered</option><option value="pdf">PDF</option><option value="xml">XML</option></select></label></p>
<p><button>Try</button></p></form></section>`
    : '<p class="none">Signed in as viewer: changes need the operator role.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>OOTS adapter: evidence mappings</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:80em}table{border-collapse:collapse;margin:.5em 0 1em}
td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}.bad{color:#a00}.ok{color:#070}.none{color:#777}
.msg{border:1px solid;padding:.2em 1em;margin:1em 0}.msg.ok{border-color:#070}.msg.bad{border-color:#a00}
form.inline,td form{display:inline}pre{background:#f6f6f6;padding:.6em;overflow:auto;max-height:30em}ul{margin:.2em 0;padding-left:1.2em}</style></head>
<body><h1>Evidence mappings</h1>
<p>Signed in as ${esc(input.role)}. <a href="/admin">Operations</a> · <a href="/admin/api/mappings">JSON</a></p>
${message}
${input.result ?? ''}
<h2>Mappings</h2>
<table><thead><tr><th>mapping</th><th>status</th><th>active version</th><th>versions (newest first)</th><th></th></tr></thead>
<tbody>${rows || '<tr><td colspan="5" class="none">none</td></tr>'}</tbody></table>
${forms}
</body></html>`;
}
