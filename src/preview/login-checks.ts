/**
 * What a preview login must prove once it matched the request's person (identity/preview-match.ts),
 * before anything is shown — the login policy the exchange stored with the session
 * (exchange/login-policy.ts):
 *
 * 1. **Level of assurance.** The ID token's `acr` (read through the OIDC_ACR_VALUES table,
 *    identity/acr.ts) must be the mapping's level or higher. A missing or unknown `acr` satisfies
 *    no level. Refused: a page saying the login was not strong enough, with a link to log in again.
 * 2. **Powers of representation** (a company's evidence whose mapping names a `representation`
 *    dataset). The person must be listed by the Register of Enterprises as an officer or procura
 *    holder of the company with a power valid today (identity/representation.ts). Refused: the
 *    neutral "not for you" page, as for a person who is not the subject. The scope of the power
 *    (position, individually/jointly) is logged; who holds it never is.
 *
 * A session without a login policy (created before it existed) is checked as before: identity only.
 */
import type { Response } from 'express';
import type { DagrPort } from '../exchange/ports.js';
import { acrValuesFor, EIDAS_ACR_TABLE, levelOfAcr, type AcrTable } from '../identity/acr.js';
import type { AuthenticatedIdentity } from '../identity/preview-match.js';
import { findPower, type Power } from '../identity/representation.js';
import { meetsLevel, type LevelOfAssurance } from '../edm/loa.js';
import type { Logger } from '../infra/logger.js';
import type { Lang, Messages } from './i18n.js';
import type { PreviewContent } from './session-model.js';
import { simplePage } from './routes/context.js';

export interface LoginCheckDeps {
  /** The acr values of the issuer (default: the eIDAS URIs). */
  readonly acr?: AcrTable | undefined;
  /** DAGR for the representation check; without it a session that needs the check is refused. */
  readonly representationDagr?: DagrPort | undefined;
  readonly now: () => Date;
}

export type LoginCheck =
  | { readonly ok: true; readonly level: LevelOfAssurance | undefined; readonly power: Power | undefined }
  | {
      readonly ok: false;
      /** Which page: too weak a login, not the company's representative, or DAGR could not answer. */
      readonly refusal: 'level' | 'not-for-you' | 'unavailable';
      /** Safe to log. */
      readonly reason: string;
    };

/** The `acr_values` to ask for at the login of this session; undefined when it has no policy. */
export function acrValuesOf(content: PreviewContent | undefined, acr: AcrTable | undefined): string | undefined {
  const level = content?.login?.levelOfAssurance;
  return level === undefined ? undefined : acrValuesFor(level, acr ?? EIDAS_ACR_TABLE);
}

export async function checkLogin(
  content: PreviewContent,
  identity: AuthenticatedIdentity,
  deps: LoginCheckDeps,
): Promise<LoginCheck> {
  const policy = content.login;
  if (policy === undefined) return { ok: true, level: undefined, power: undefined };
  const level = levelOfAcr(identity.acr, deps.acr ?? EIDAS_ACR_TABLE);
  if (level === undefined || !meetsLevel(level, policy.levelOfAssurance))
    return {
      ok: false,
      refusal: 'level',
      reason: `login at ${level ?? 'an unknown level'}; ${policy.levelOfAssurance} needed`,
    };
  const rep = policy.representation;
  if (rep === undefined) return { ok: true, level, power: undefined };
  if (deps.representationDagr === undefined)
    return { ok: false, refusal: 'unavailable', reason: 'no DAGR client for the representation check' };
  let records;
  try {
    const found = await deps.representationDagr.lookup({
      service: rep.service,
      permission: rep.permission,
      key: rep.key,
      correlationId: content.exchangeRef,
    });
    // A register still preparing its answer cannot tell who represents the company yet.
    if (found.kind === 'deferred')
      return { ok: false, refusal: 'unavailable', reason: 'DAGR prepares the officers record later' };
    records = found.kind === 'found' ? found.records : [];
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause;
    return { ok: false, refusal: 'unavailable', reason: `DAGR ${typeof cause === 'string' ? cause : 'failure'}` };
  }
  const checked = findPower(records, rep.key, identity.identifier, deps.now().toISOString().slice(0, 10));
  if (!checked.ok) return { ok: false, refusal: 'not-for-you', reason: `representation: ${checked.reason}` };
  return { ok: true, level, power: checked.power };
}

/** The page of a refused login (status, title, text; a retry link where logging in again can help). */
export function sendLoginRefusal(
  res: Response,
  lang: Lang,
  refusal: Extract<LoginCheck, { ok: false }>['refusal'],
  retry: { href: string; text: (t: Messages) => string },
): void {
  if (refusal === 'level')
    simplePage(
      res,
      403,
      lang,
      (t) => t.loaTooLowTitle,
      (t) => t.loaTooLowBody,
      retry,
    );
  else if (refusal === 'unavailable')
    simplePage(
      res,
      503,
      lang,
      (t) => t.errorTitle,
      (t) => t.errorBody,
      retry,
    );
  else
    simplePage(
      res,
      403,
      lang,
      (t) => t.notForYouTitle,
      (t) => t.notForYouBody,
    );
}

/** Logs the outcome: level and scope of the power, never who holds it. */
export function logLoginCheck(log: Logger, check: LoginCheck): void {
  if (!check.ok)
    log.info({ refusal: check.refusal, reason: check.reason }, 'preview login refused by the login policy');
  else if (check.power !== undefined)
    log.info(
      { levelOfAssurance: check.level, power: check.power },
      'preview login represents the company (Register of Enterprises)',
    );
  else if (check.level !== undefined) log.info({ levelOfAssurance: check.level }, 'preview login level accepted');
}

/** The audit trail's words for a login check: codes only (level, position and scope of a power). */
export function loginCheckDetail(check: LoginCheck): string {
  if (!check.ok) return `login refused (${check.refusal}): ${check.reason}`;
  const parts = [`level ${check.level ?? 'not required'}`];
  if (check.power !== undefined) {
    const p = check.power;
    const others = p.jointlyWith === undefined ? '' : ` (with ${p.jointlyWith})`;
    parts.push(`power ${p.position} ${p.scope}${others}`);
  }
  return parts.join('; ');
}
