/**
 * The api part (roles api and all): the human-facing routes — rate limits and security headers,
 * the admin pages (dashboard, audit API, mappings), the preview pages and their login — and the
 * audit trail's purger. The connector intake comes from src/compose/connector.ts.
 */
import express from 'express';
import { createAdminRouter } from '../admin/api.js';
import { createAdminAuth, type AdminCredentials } from '../admin/auth.js';
import { createQueueDashboard } from '../admin/dashboard.js';
import { createMappingsAdminRouter, createRedisTryCache, deriveCsrfKey } from '../admin/mappings-router.js';
import type { DagrPort } from '../exchange/ports.js';
import type { AuditEvent } from '../ops/audit.js';
import type { SessionRecipe } from '../preview/exchange-port.js';
import type { PreviewLoginEvent, PreviewSettled } from '../preview/routes/context.js';
import type { PreviewStage } from '../ops/metric-definitions.js';
import { rateLimit, securityHeaders } from '../http/security.js';
import { parseAcrTable } from '../identity/acr.js';
import { deriveCookieKey } from '../preview/cookies.js';
import { createOidcLogin } from '../preview/oidc.js';
import { createPreviewRouter } from '../preview/router.js';
import type { Core } from './core.js';
import { lazyApiDagr } from './api-dagr.js';
import { previewEvidenceStep } from './preview-evidence.js';
import type { WorkerPart } from './worker.js';

export interface ApiInput {
  /** The worker part of this process (role all): the admin pages show DAGR and try mappings with it. */
  readonly worker: WorkerPart | undefined;
  readonly adminCredentials: AdminCredentials;
  /** The OIDC issuer of the preview login (configured or the sandbox one). */
  readonly oidcIssuer: string;
}

export interface ApiPart {
  /** Mounted before every other route: rate limits and headers of the human-facing pages. */
  readonly guard: express.Router;
  readonly routers: readonly express.Router[];
}

export function buildApi(core: Core, input: ApiInput): ApiPart {
  const purger = core.audit.startPurger({ logger: core.logger });
  core.onStop(1, () => purger.stop());
  return { guard: guard(core), routers: [...adminRouters(core, input), previewRouter(core, input)] };
}

/**
 * Human-facing pages get strict headers and per-client budgets shared by every api process;
 * the connector intake and probes are authenticated machine traffic and stay unlimited.
 */
function guard(core: Core): express.Router {
  const { redis, keys, logger } = core;
  const limits = core.config.ops.rateLimits;
  const router = express.Router();
  const limit = (name: string, points: number) =>
    rateLimit({ redis, prefix: keys.rateLimit(name), points, durationSeconds: 60, logger });
  router.use('/admin', securityHeaders(), limit('admin', limits.admin));
  // The queue dashboard's UI needs scripts, XHR and inline styles: set after, so it wins there.
  router.use('/admin/queues', securityHeaders({ scripts: true, connect: true, inlineStyles: true, baseSelf: true }));
  router.use('/preview', limit('preview', limits.preview));
  router.use('/edm/validate', limit('validate', limits.validate));
  return router;
}

function adminRouters(core: Core, input: ApiInput): express.Router[] {
  const { queues, logger, audit } = core;
  const adminAuth = createAdminAuth(input.adminCredentials);
  if (adminAuth === undefined) {
    logger.warn('admin pages are off: set ADMIN_VIEWER_PASSWORD / ADMIN_OPERATOR_PASSWORD');
    return [];
  }
  return [
    createQueueDashboard({ queues: Object.values(queues.bullQueues()), auth: adminAuth, logger }),
    createAdminRouter({ audit, auth: adminAuth, queues, dagr: input.worker?.dagrWatch, logger }),
    createMappingsAdminRouter({
      store: core.mappings.store,
      auth: adminAuth,
      tryer: input.worker?.tryer,
      logger,
      csrfKey: deriveCsrfKey(core.secrets.key),
      tries: createRedisTryCache(core.redis, { prefix: core.keys.admin, key: core.secrets.key }),
    }),
  ];
}

/** Preview pages and the login. */
function previewRouter(core: Core, input: ApiInput): express.Router {
  const { config, metrics, queues } = core;
  // DAGR is read at the login (the evidence, and a company's officers): in role all with the
  // worker part's client, in an api-only process with one connected on the first login that needs it.
  const dagr: DagrPort = input.worker?.dagr ?? lazyApiDagr(core);
  const oidc = createOidcLogin({
    issuer: input.oidcIssuer,
    clientId: config.oidc.clientId,
    clientSecret: config.oidc.clientSecret,
    redirectUri: () => core.previewBase() + config.oidc.redirectPath,
    scopes: config.oidc.scopes,
    identifierClaim: config.oidc.identifierClaim,
  });
  return createPreviewRouter({
    store: core.previewStore,
    oidc,
    config: {
      publicBaseUrl: () => core.previewBase(),
      allowedReturnOrigins: config.preview.returnOrigins,
      cookieKey: deriveCookieKey(core.secrets.key),
      cookieSecure: config.preview.publicBaseUrl?.startsWith('https://') ?? false,
      redirectPath: config.oidc.redirectPath,
      loginTtlSeconds: config.preview.loginTtlSeconds,
      match: { nameMatching: config.preview.nameMatching },
      acr: parseAcrTable(config.oidc.acrValues),
    },
    logger: core.logger,
    representationDagr: dagr,
    // The record is read at the login, in this process (docs/preview.md, "When DAGR is read").
    produceEvidence: previewEvidenceStep(core, dagr),
    onLogin: (e) => auditPreviewLogin(core, e),
    onSettled: async (e) => {
      metrics.recordPreview(previewStageOf(e));
      if (e.releasedExchangeRef !== undefined) await queues.enqueueProcess(e.releasedExchangeRef, 'preview');
    },
  });
}

/**
 * The funnel stage a settled preview counts as. A decision with nothing approved and nothing
 * declined is the login that found no record (login-evidence.ts): not the citizen's decline.
 */
export function previewStageOf(e: PreviewSettled): PreviewStage {
  if (e.outcome === 'expired') return 'expired';
  if (e.decision.approved.length > 0) return 'approved';
  return e.decision.declined.length > 0 ? 'declined' : 'nothing-found';
}

const LOGIN_EVENTS = {
  accepted: 'preview-login',
  refused: 'preview-refused',
  'nothing-found': 'preview-nothing',
} as const satisfies Record<PreviewLoginEvent['kind'], AuditEvent>;

/** A preview login in the audit trail, under request #1's references and the subject's keyed digest. */
async function auditPreviewLogin(core: Core, e: PreviewLoginEvent): Promise<void> {
  const c = e.content;
  const recipe = (c.recipe as SessionRecipe | undefined)?.recipe;
  const subject =
    c.subject.kind === 'NaturalPerson' ? c.subject.identifier?.value : c.subject.legalPersonIdentifier?.value;
  await core.audit.record({
    event: LOGIN_EVENTS[e.kind],
    conversationId: c.conversationId,
    requestId: c.requestId,
    exchangeRef: c.exchangeRef,
    requester: undefined,
    subjectIdentifier: subject,
    summary: {
      outcome: 'preview-required',
      edmCode: undefined,
      evidenceType: undefined,
      mappingId: recipe?.mappingId,
      mappingVersion: recipe?.mappingVersion,
      detail: e.detail,
    },
  });
}
