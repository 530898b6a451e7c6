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
 *   GET  /admin/mappings/try/:token/evidence         the evidence of a try from the page (10 min, in Redis)
 *
 * Every change and every try is logged with the admin user (never the subject tried).
 *
 * The routes live in src/admin/mappings/: api-routes.ts (JSON API), page-routes.ts (the page and
 * its forms), page-html.ts (its HTML), try-cache.ts (the evidence of a page try, kept in Redis
 * so every api process can serve its link), context.ts (what they share).
 */
import { createHmac, randomBytes } from 'node:crypto';
import express from 'express';
import { httpErrorHandler } from '../infra/http-problem.js';
import { crossSiteGuard } from './cross-site.js';
import { mappingsApiRouter } from './mappings/api-routes.js';
import type { MappingsAdminDeps, MappingsContext } from './mappings/context.js';
import { mappingsPageRouter } from './mappings/page-routes.js';

export type { MappingsAdminDeps, MappingTryer } from './mappings/context.js';
export { renderMappingsPage, renderTryResult } from './mappings/page-html.js';
export { createRedisTryCache, type TryCache, type TriedEvidence } from './mappings/try-cache.js';

export function createMappingsAdminRouter(deps: MappingsAdminDeps): express.Router {
  const ctx: MappingsContext = {
    deps,
    store: deps.store,
    auth: deps.auth,
    log: deps.logger?.child({ component: 'admin-mappings' }),
    now: deps.now ?? (() => new Date()),
    csrfKey: deps.csrfKey ?? randomBytes(32),
    maxBytes: deps.maxBytes ?? 256 * 1024,
  };
  const router = express.Router();
  router.use('/admin/api', deps.auth.authenticate, crossSiteGuard('api'), mappingsApiRouter(ctx));
  router.use('/admin/mappings', deps.auth.authenticate, crossSiteGuard('page'));
  router.use(mappingsPageRouter(ctx));
  router.use(httpErrorHandler(deps.logger));
  return router;
}

/** The page's CSRF key from the adapter's ENCRYPTION_KEY: the same in every api process. */
export function deriveCsrfKey(encryptionKey: Buffer): Buffer {
  return createHmac('sha256', encryptionKey).update('oots-adapter/mappings-csrf').digest();
}
