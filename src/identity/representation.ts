/**
 * Powers of representation: may the person who logged in act for the company? The Register of
 * Enterprises lists, per company, its officers (board members, the chair) and procura holders with
 * their right of representation; the DAGR dataset named by the mapping's `representation` serves
 * them one record per person, keyed by the company's registration number:
 *
 *   RegistrationNumber    the company (11 digits), the key
 *   PersonCode            the person's Latvian personal code (11 digits) or eIDAS identifier
 *   Position              ChairOfBoard | BoardMember | Procurator | AuthorisedRepresentative | Shareholder | ...
 *   RepresentationRights  individually | jointly | none
 *   JointlyWith           for jointly: how many others must act with them (optional)
 *   ValidFrom / ValidTo   xsd:date, optional: a power outside them does not count
 *
 * The person has a power when a record of this company names them with rights `individually` or
 * `jointly`, valid today. Several records: the strongest counts (individually before jointly).
 * Anything else (not listed, listed without rights, expired) is no power. Pure: the records come in.
 */
import { textAt, type DagrRecord } from '../mapping/record-path.js';
import { sameIdentifier } from './preview-match.js';
import { parsePersonalCode } from './personal-code.js';

export type RepresentationScope = 'individually' | 'jointly';

/** What is recorded about a power: never who holds it. */
export interface Power {
  readonly position: string;
  readonly scope: RepresentationScope;
  readonly jointlyWith?: number;
}

export type PowerCheck =
  | { readonly ok: true; readonly power: Power }
  | { readonly ok: false; readonly reason: 'not-listed' | 'no-power' | 'power-expired' };

export function findPower(
  records: readonly DagrRecord[],
  company: string,
  loginIdentifier: string | undefined,
  today: string,
): PowerCheck {
  if (loginIdentifier === undefined || loginIdentifier.trim() === '' || company === '')
    return { ok: false, reason: 'not-listed' };
  let best: Power | undefined;
  let reason: 'not-listed' | 'no-power' | 'power-expired' = 'not-listed';
  for (const { fields } of records) {
    if (textAt(fields, 'RegistrationNumber')?.replace(/\s+/g, '') !== company) continue;
    if (!samePerson(textAt(fields, 'PersonCode'), loginIdentifier)) continue;
    const rights = textAt(fields, 'RepresentationRights')?.trim().toLowerCase();
    if (rights !== 'individually' && rights !== 'jointly') {
      if (reason === 'not-listed') reason = 'no-power';
      continue;
    }
    if (!validOn(textAt(fields, 'ValidFrom'), textAt(fields, 'ValidTo'), today)) {
      reason = 'power-expired';
      continue;
    }
    const jointly = Number(textAt(fields, 'JointlyWith'));
    const power: Power = {
      position: textAt(fields, 'Position')?.trim() || 'unspecified',
      scope: rights,
      ...(rights === 'jointly' && Number.isInteger(jointly) && jointly > 0 ? { jointlyWith: jointly } : {}),
    };
    if (best === undefined || (best.scope === 'jointly' && power.scope === 'individually')) best = power;
  }
  return best === undefined ? { ok: false, reason } : { ok: true, power: best };
}

/** The register's personal code (11 digits, or an eIDAS identifier) against the login's identifier. */
function samePerson(recorded: string | undefined, login: string): boolean {
  if (recorded === undefined || recorded.trim() === '') return false;
  const code = parsePersonalCode(recorded.trim());
  return sameIdentifier(code.ok ? `LV/LV/${code.code}` : recorded.trim(), login);
}

function validOn(from: string | undefined, to: string | undefined, today: string): boolean {
  if (from !== undefined && from.slice(0, 10) > today) return false;
  if (to !== undefined && to.slice(0, 10) < today) return false;
  return true;
}
