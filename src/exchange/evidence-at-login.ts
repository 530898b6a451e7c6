/**
 * The evidence of a preview, produced at the login (docs/preview.md, "When DAGR is read"): request
 * #1 with a preview reads nothing; once the person logged in and the identity matched the request
 * subject, this step runs the exchange's own evidence step (evidence.ts: mapping, DAGR lookup,
 * subject match, rendering) with the mapping as it was at request #1, and keeps only the records
 * that also agree with what the identity provider asserted about the person (names, date of birth).
 *
 * Pure apart from its ports: the DAGR port, the renderer, and `mappingAt` (the mapping store).
 */
import type { QueryRequest } from '../edm/model.js';
import { calendarDate } from '../identity/match.js';
import { namesEqual } from '../identity/names.js';
import type { AuthenticatedIdentity } from '../identity/preview-match.js';
import type { EvidenceMapping, MatchAttribute } from '../mapping/model.js';
import { textAt } from '../mapping/record-path.js';
import { produceEvidence, type EvidenceDeps } from './evidence.js';
import type { DagrLookupResult, DagrPort, PreparedEvidence, PreviewRecipe } from './ports.js';
import { DeferredLookup } from './deferred.js';
import type { NoRecordReason } from './find-record.js';
import { toRefusal } from './refusal.js';

export interface LoginEvidenceDeps extends EvidenceDeps {
  /**
   * The mapping `id` at store version `version` (`1.0.0+r3`), whether or not it is still the active
   * one; undefined when the store no longer has that revision.
   */
  mappingAt(id: string, version: string): Promise<EvidenceMapping | undefined>;
}

export interface LoginEvidenceInput {
  /** Request #1 as it was read then (sealed in the session). */
  readonly request: QueryRequest;
  readonly recipe: PreviewRecipe;
  /** Request #1's exchange: DAGR's correlation id, as in the worker. */
  readonly exchangeRef: string;
  /** The login, already matched against the request subject (src/identity/preview-match.ts). */
  readonly identity: AuthenticatedIdentity;
}

export type LoginEvidence =
  | { readonly kind: 'found'; readonly evidences: readonly PreparedEvidence[] }
  /** No record, or none that matches both the request subject and the login (why: for the log only). */
  | { readonly kind: 'none'; readonly reason: NoRecordReason }
  /** DAGR (or the rendering) failed: nothing is lost, the person may try again before T3. */
  | { readonly kind: 'unavailable'; readonly detail: string }
  /** The mapping revision of request #1 is gone from the store: the evidence cannot be produced as asked. */
  | { readonly kind: 'mapping-gone'; readonly detail: string };

export async function produceEvidenceAtLogin(
  input: LoginEvidenceInput,
  deps: LoginEvidenceDeps,
): Promise<LoginEvidence> {
  const { recipe, request } = input;
  const mapping = await deps.mappingAt(recipe.mappingId, recipe.mappingVersion);
  const distribution = mapping?.distributions.find((d) => d.format === recipe.format);
  if (mapping === undefined || distribution === undefined)
    return {
      kind: 'mapping-gone',
      detail: `mapping ${recipe.mappingId} ${recipe.mappingVersion} (${recipe.format}) is no longer in the mapping store`,
    };
  // Records DAGR holds but the login disagrees with are a mismatch, not a missing record.
  let filteredOut = false;
  const onFilteredOut = (): void => void (filteredOut = true);
  const dagr =
    request.subject?.kind === 'NaturalPerson'
      ? loginFiltered(deps.dagr, input.identity, mapping, onFilteredOut)
      : deps.dagr;
  try {
    const produced = await produceEvidence(request, mapping, distribution, input.exchangeRef, { ...deps, dagr });
    if (produced.kind === 'found') return produced;
    return { kind: 'none', reason: filteredOut && produced.reason === 'not-found' ? 'mismatch' : produced.reason };
  } catch (e) {
    // A record DAGR still prepares cannot be shown yet: the person may come back before T3.
    if (e instanceof DeferredLookup)
      return { kind: 'unavailable', detail: `the record is being prepared until ${e.retryAt.toISOString()}` };
    const refusal = toRefusal(e);
    if (refusal === undefined) throw e;
    return { kind: 'unavailable', detail: `${refusal.code}: ${refusal.detail}` };
  }
}

/**
 * The DAGR port as the evidence step sees it at the login: only the records that agree with the
 * identity provider's attributes. The step then matches them against the request subject as always.
 */
function loginFiltered(
  dagr: DagrPort,
  identity: AuthenticatedIdentity,
  mapping: EvidenceMapping,
  onFilteredOut: () => void,
): DagrPort {
  const keep = (result: DagrLookupResult): DagrLookupResult => {
    if (result.kind !== 'found') return result;
    const [first, ...rest] = result.records.filter((r) => recordMatchesLogin(r.fields, identity, mapping));
    if (first === undefined) onFilteredOut();
    return first === undefined ? { kind: 'not-found' } : { kind: 'found', records: [first, ...rest] };
  };
  const search = dagr.search?.bind(dagr);
  return {
    lookup: async (request) => keep(await dagr.lookup(request)),
    // A foreign national found by attributes is filtered the same way (./find-record.ts).
    ...(search === undefined ? {} : { search: async (request) => keep(await search(request)) }),
  };
}

/**
 * Every personal attribute the mapping compares (names, date of birth) that the login asserted must
 * agree with the record; an attribute the identity provider did not give is not compared (the
 * identifier already matched the request's, and the request's own attributes are matched next).
 */
export function recordMatchesLogin(
  record: Readonly<Record<string, unknown>>,
  identity: AuthenticatedIdentity,
  mapping: Pick<EvidenceMapping, 'dagr'>,
): boolean {
  for (const { attribute, field } of mapping.dagr.match) {
    const asserted = loginValue(identity, attribute);
    if (asserted === undefined) continue;
    const actual = textAt(record, field);
    if (actual === undefined) return false;
    const same =
      attribute === 'DateOfBirth'
        ? calendarDate(asserted) !== undefined && calendarDate(asserted) === calendarDate(actual)
        : namesEqual(asserted, actual, mapping.dagr.nameMatching);
    if (!same) return false;
  }
  return true;
}

function loginValue(identity: AuthenticatedIdentity, attribute: MatchAttribute): string | undefined {
  const v =
    attribute === 'FamilyName'
      ? identity.familyName
      : attribute === 'GivenName'
        ? identity.givenName
        : attribute === 'DateOfBirth'
          ? identity.birthDate
          : undefined;
  return v === undefined || v.trim() === '' ? undefined : v;
}
