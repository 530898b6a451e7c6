/**
 * Reads the shipped (or configured) evidence mappings: every `*.yaml` in the mappings folder,
 * checked against `schemas/mapping.schema.json`. Fails with every problem of every file at once,
 * so that a data controller fixes them in one round.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { EvidenceMapping } from '../mapping/model.js';
import { MappingError, parseMappingSource, type MappingProblem } from '../mapping/parse.js';
import { evidenceTypeClashes, type ServedBy } from '../mapping/registry.js';
import { packageRoot } from './schema-files.js';

/** The mapping schema shipped with the adapter. */
export function readMappingSchema(root: string = packageRoot()): object {
  return JSON.parse(readFileSync(path.join(root, 'schemas', 'mapping.schema.json'), 'utf8')) as object;
}

/**
 * Every mapping in `dir` (default: `mappings/` of the package), in file-name order. Throws a
 * {@link MappingError} naming file, line and field of every problem, including an evidence type
 * served by two files.
 */
export function loadMappings(dir: string = path.join(packageRoot(), 'mappings')): EvidenceMapping[] {
  const schema = readMappingSchema();
  const files = readdirSync(dir)
    .filter((name) => /\.ya?ml$/i.test(name))
    .sort();
  const shown = (name: string): string => {
    const full = path.join(dir, name);
    const relative = path.relative(process.cwd(), full);
    return relative.startsWith('..') || path.isAbsolute(relative) ? full : relative;
  };

  const problems: MappingProblem[] = [];
  const mappings: EvidenceMapping[] = [];
  const servedBy: ServedBy = new Map();
  for (const name of files) {
    const file = shown(name);
    const result = parseMappingSource(readFileSync(path.join(dir, name), 'utf8'), file, schema);
    if (!result.ok) {
      problems.push(...result.problems);
      continue;
    }
    problems.push(...evidenceTypeClashes(file, result.mapping, result.evidenceTypeLines, servedBy));
    mappings.push(result.mapping);
  }
  if (problems.length > 0) throw new MappingError(problems);
  return mappings;
}
