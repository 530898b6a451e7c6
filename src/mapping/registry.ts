/**
 * The set of mappings the adapter serves, looked up by evidence type classification and format.
 * The Semantic Repository has two hosts for the same URIs (`sr.oots.tech.europa.eu`, used in the
 * Projectathon samples, and `sr.oots.tech.ec.europa.eu`); both name the same evidence type here.
 */
import type { Distribution, EvidenceMapping } from './model.js';
import { MappingError, type MappingProblem } from './parse.js';

export type MappingLookup =
  | { readonly ok: true; readonly mapping: EvidenceMapping; readonly distribution: Distribution }
  | { readonly ok: false; readonly reason: 'unknown-evidence-type' | 'unsupported-format'; readonly detail: string };

export interface MappingRegistry {
  readonly mappings: readonly EvidenceMapping[];
  /**
   * The mapping serving `evidenceType` and its distribution for `format` (a media type, compared
   * case-insensitively, parameters ignored); `format` undefined or empty → the first distribution.
   */
  find(evidenceType: string, format: string | undefined): MappingLookup;
}

const SR_URI =
  /^https:\/\/sr\.oots\.tech(?:\.ec)?\.europa\.eu\/evidencetypeclassifications\/([A-Za-z]{2})\/([0-9A-Fa-f-]{36})$/i;

/** One spelling per evidence type: SR host `sr.oots.tech.europa.eu`, country upper case, uuid lower case. */
export function canonicalEvidenceType(uri: string): string {
  const trimmed = uri.trim();
  const m = SR_URI.exec(trimmed);
  return m
    ? `https://sr.oots.tech.europa.eu/evidencetypeclassifications/${m[1]!.toUpperCase()}/${m[2]!.toLowerCase()}`
    : trimmed;
}

/** Where each evidence type is served so far, across the mapping files read one after another. */
export type ServedBy = Map<string, { file: string; line: number }>;

/**
 * The problems of a mapping whose evidence types an earlier file already serves (each evidence
 * type may appear in one mapping only); records the types it brings first in `servedBy`.
 */
export function evidenceTypeClashes(
  file: string,
  mapping: EvidenceMapping,
  evidenceTypeLines: readonly number[],
  servedBy: ServedBy,
): MappingProblem[] {
  const problems: MappingProblem[] = [];
  mapping.evidenceTypes.forEach((uri, i) => {
    const key = canonicalEvidenceType(uri);
    const line = evidenceTypeLines[i]!;
    const earlier = servedBy.get(key);
    if (earlier === undefined) servedBy.set(key, { file, line });
    else
      problems.push({
        file,
        line,
        field: `evidenceTypes[${String(i)}]`,
        message: `evidence type ${uri} is already served by ${earlier.file}:${String(earlier.line)}`,
        hint: 'each evidence type may appear in one mapping only: remove it from one of the files',
      });
  });
  return problems;
}

function mediaType(format: string): string {
  return format.split(';')[0]!.trim().toLowerCase();
}

/** Throws a {@link MappingError} when two mappings serve the same evidence type. */
export function createMappingRegistry(mappings: readonly EvidenceMapping[]): MappingRegistry {
  const byType = new Map<string, EvidenceMapping>();
  const problems: MappingProblem[] = [];
  for (const mapping of mappings) {
    for (const uri of mapping.evidenceTypes) {
      const key = canonicalEvidenceType(uri);
      const other = byType.get(key);
      if (other !== undefined && other !== mapping)
        problems.push({
          file: `${mapping.id}.yaml`,
          line: undefined,
          field: 'evidenceTypes',
          message: `evidence type ${uri} is already served by mapping ${other.id}`,
          hint: 'each evidence type may appear in one mapping only: remove it from one of the files',
        });
      else byType.set(key, mapping);
    }
  }
  if (problems.length > 0) throw new MappingError(problems);

  const list = Object.freeze([...mappings]);
  return {
    mappings: list,
    find(evidenceType, format) {
      const mapping = byType.get(canonicalEvidenceType(evidenceType));
      if (mapping === undefined)
        return {
          ok: false,
          reason: 'unknown-evidence-type',
          detail: `no mapping serves evidence type ${evidenceType}`,
        };
      if (format === undefined || format.trim() === '')
        return { ok: true, mapping, distribution: mapping.distributions[0]! };
      const wanted = mediaType(format);
      const distribution = mapping.distributions.find((d) => d.format === wanted);
      if (distribution === undefined)
        return {
          ok: false,
          reason: 'unsupported-format',
          detail: `evidence type ${evidenceType} is not available as ${format}; offered: ${mapping.distributions.map((d) => d.format).join(', ')}`,
        };
      return { ok: true, mapping, distribution };
    },
  };
}
