/**
 * What the mappings admin routes share: their dependencies, the caller, the audit line, the
 * parsing of a try request and the choice of the mapping to try.
 */
import type { Request } from 'express';
import type { Logger } from '../../infra/logger.js';
import type { MappingProblem } from '../../mapping/parse.js';
import type { EvidenceMapping } from '../../mapping/model.js';
import type { MappingStore } from '../../mapping-store/mapping-store.js';
import type { TryInput, TryResult } from '../../mapping-store/try-mapping.js';
import { principalOf, type AdminAuth } from '../auth.js';
import type { TryCache } from './try-cache.js';

export type MappingTryer = (mapping: EvidenceMapping, input: TryInput) => Promise<TryResult>;

export interface MappingsAdminDeps {
  readonly store: MappingStore;
  readonly auth: AdminAuth;
  /**
   * Where the page keeps the evidence of a try for its link (`createRedisTryCache`): shared by
   * every api process.
   */
  readonly tries: TryCache;
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

/** The routes' shared state, built once by createMappingsAdminRouter. */
export interface MappingsContext {
  readonly deps: MappingsAdminDeps;
  readonly store: MappingStore;
  readonly auth: AdminAuth;
  readonly log: Logger | undefined;
  readonly now: () => Date;
  readonly csrfKey: Buffer;
  readonly maxBytes: number;
}

// Not text/plain: a cross-site form can send that type (see src/admin/cross-site.ts).
export const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

export const who = (req: Request): string => principalOf(req)?.user ?? 'unknown';

/** Logs a change or a try with the admin user (never the subject tried). */
export function audit(ctx: MappingsContext, req: Request, action: string, fields: Record<string, unknown>): void {
  ctx.log?.info({ admin: principalOf(req), mappings: { action, ...fields } }, `mapping ${action}`);
}

export function problemsView(problems: readonly MappingProblem[]) {
  return problems.map((p) => ({
    file: p.file,
    line: p.line ?? null,
    column: p.column ?? null,
    field: p.field,
    message: p.message,
    hint: p.hint,
  }));
}

export function positiveInt(v: unknown): number | undefined {
  return typeof v === 'string' && /^[1-9]\d{0,8}$/.test(v)
    ? Number(v)
    : typeof v === 'number' && Number.isSafeInteger(v) && v > 0
      ? v
      : undefined;
}

export interface TryBody {
  subject?: unknown;
  format?: unknown;
  version?: unknown;
  familyName?: unknown;
  givenName?: unknown;
  dateOfBirth?: unknown;
  legalName?: unknown;
}

/** The try input of a JSON body or a form; a string says what is wrong. */
export function tryInputOf(body: TryBody): TryInput | string {
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

/** The mapping to try: revision `version`, else the active one, else the newest. */
export async function mappingForTry(
  store: MappingStore,
  id: string,
  version: unknown,
): Promise<EvidenceMapping | string> {
  const summary = await store.get(id);
  if (summary === undefined) return `no mapping ${id}`;
  const rev = positiveInt(version) ?? summary.active ?? summary.revisions[0]?.revision;
  if (rev === undefined) return `mapping ${id} has no revision`;
  const m = await store.mapping(id, rev);
  return m ?? `mapping ${id} has no revision ${String(rev)}`;
}
