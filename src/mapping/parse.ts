/**
 * Parsing and checking one evidence mapping file (`mappings/<id>.yaml`): YAML with source positions,
 * JSON Schema (`schemas/mapping.schema.json`, ajv) and the semantic checks a schema cannot express.
 * Every problem names the file, the line and the field, and says how to fix it: data controllers
 * write these files, not programmers.
 */
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { AdapterError } from '../errors.js';
import { definesField, keyFieldOfDefinition, type DatasetDefinition, type DatasetDefinitions } from './definitions.js';
import type { EvidenceMapping, MatchAttribute } from './model.js';

// ajv and ajv-formats are CommonJS with a default export; under NodeNext the class is on `.default`.
const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;

export interface MappingProblem {
  /** The file as given to the parser (e.g. `mappings/lv-birth-certificate.yaml`). */
  readonly file: string;
  /** 1-based line; undefined when the problem is not tied to one place in a file. */
  readonly line: number | undefined;
  readonly column?: number;
  /** The field, dotted with list indexes in brackets: `distributions[1].xml.fields[0].path`; `` for the file. */
  readonly field: string;
  readonly message: string;
  /** How to fix it. */
  readonly hint: string;
}

export class MappingError extends AdapterError {
  override readonly name = 'MappingError';
  readonly problems: readonly MappingProblem[];

  constructor(problems: readonly MappingProblem[]) {
    super('ERR_MAPPING_INVALID', formatProblems(problems));
    this.problems = problems;
  }
}

/** `file:line:column field: message (hint)`, one problem per line. */
export function formatProblems(problems: readonly MappingProblem[]): string {
  const head = `Invalid evidence mapping${problems.length === 1 ? '' : 's'}: ${String(problems.length)} problem${problems.length === 1 ? '' : 's'}`;
  const lines = problems.map((p) => {
    const where =
      p.line === undefined
        ? p.file
        : `${p.file}:${String(p.line)}${p.column === undefined ? '' : `:${String(p.column)}`}`;
    return `  ${where}${p.field === '' ? '' : ` ${p.field}`}: ${p.message}. Fix: ${p.hint}`;
  });
  return [head, ...lines].join('\n');
}

export type MappingSource =
  | {
      readonly ok: true;
      readonly mapping: EvidenceMapping;
      /** 1-based line of each `evidenceTypes` entry, for cross-file checks. */
      readonly evidenceTypeLines: readonly number[];
    }
  | { readonly ok: false; readonly problems: readonly MappingProblem[] };

export interface ParseOptions {
  /**
   * DAGR dataset definitions by service: when the mapping's `dagr.service` has one, every record
   * field the mapping reads must be defined in it. Without one, fields are not checked.
   */
  readonly definitions?: DatasetDefinitions | undefined;
}

/** Parses and checks one mapping file; throws a {@link MappingError} listing every problem. */
export function parseMappingFile(
  text: string,
  fileName: string,
  schema: object,
  options: ParseOptions = {},
): EvidenceMapping {
  const result = parseMappingSource(text, fileName, schema, options);
  if (!result.ok) throw new MappingError(result.problems);
  return result.mapping;
}

const validators = new WeakMap<object, ValidateFunction>();

function validatorFor(schema: object): ValidateFunction {
  let validate = validators.get(schema);
  if (validate === undefined) {
    const ajv = new Ajv({ allErrors: true, verbose: true, discriminator: true, strict: true });
    addFormats(ajv);
    validate = ajv.compile(schema);
    validators.set(schema, validate);
  }
  return validate;
}

/** The mapping id from a file name: `dir/lv-birth-certificate.yaml` → `lv-birth-certificate`. */
export function mappingIdOf(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  return base.replace(/\.ya?ml$/i, '');
}

/** Like {@link parseMappingFile}, returning the problems instead of throwing. */
export function parseMappingSource(
  text: string,
  fileName: string,
  schema: object,
  options: ParseOptions = {},
): MappingSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: MappingProblem[] = [];

  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const pos = lineCounter.linePos(e.pos[0]);
      problems.push({
        file: fileName,
        line: pos.line,
        column: pos.col,
        field: '',
        message: `YAML syntax error: ${firstLine(e.message)}`,
        hint: yamlHint(e.code),
      });
    }
    return { ok: false, problems };
  }

  const locate = (
    path: readonly (string | number)[],
    at: 'key' | 'value' = 'value',
  ): { line: number; column: number } => {
    const offset = offsetOf(doc, path, at);
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  const problem = (
    path: readonly (string | number)[],
    message: string,
    hint: string,
    at: 'key' | 'value' = 'value',
  ): void => {
    problems.push({ file: fileName, ...locate(path, at), field: dotted(path), message, hint });
  };

  const id = mappingIdOf(fileName);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(id))
    problems.push({
      file: fileName,
      line: 1,
      field: '',
      message: `the file name gives the mapping id "${id}", which is not lower-case letters, digits and hyphens`,
      hint: 'rename the file, e.g. `lv-birth-certificate.yaml`',
    });

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 50 });
  } catch (e) {
    // yaml refuses aliases that expand beyond maxAliasCount (a "billion laughs" alias bomb).
    problems.push({
      file: fileName,
      line: 1,
      field: '',
      message: `YAML refused: ${firstLine(e instanceof Error ? e.message : String(e))}`,
      hint: 'write the values out instead of repeating them through YAML anchors and aliases (&name / *name)',
    });
    return { ok: false, problems };
  }
  const validate = validatorFor(schema);
  if (!validate(data)) {
    const described = relevantErrors(validate.errors ?? []).map((e) =>
      describeAjvError(e, pointerToPath(e.instancePath)),
    );
    // A misspelt key shows up twice (unknown `permision`, missing `permission`): keep the "did you mean".
    const suggested = new Set(
      described.flatMap((d) => (d.suggests === undefined ? [] : [dotted([...d.path.slice(0, -1), d.suggests])])),
    );
    for (const d of described)
      if (!(d.missing === true && suggested.has(dotted(d.path)))) problem(d.path, d.message, d.hint, d.at);
    return { ok: false, problems };
  }

  const body = data as Omit<EvidenceMapping, 'id'>;
  // A placeholder (`TODO`, as `mappings new` writes them) is reported once, as a placeholder.
  const placeholders = placeholderPaths(body);
  for (const path of placeholders) problem(path, 'is still a placeholder (TODO)', placeholderHint(path));
  const marked = new Set(placeholders.map(dotted));
  semanticChecks(body, (path, message, hint, at) => {
    if (!marked.has(dotted(path))) problem(path, message, hint, at);
  });
  const definition = options.definitions?.get(body.dagr.service);
  if (definition !== undefined) definitionChecks(body, definition, problem);
  if (problems.length > 0) return { ok: false, problems };

  const mapping = deepFreeze({ id, ...body }) as EvidenceMapping;
  return { ok: true, mapping, evidenceTypeLines: body.evidenceTypes.map((_, i) => locate(['evidenceTypes', i]).line) };
}

// ---------------------------------------------------------------------------------------------
// Semantic checks

/** `https://sr.oots.tech(.ec).europa.eu/evidencetypeclassifications/<CC>/<uuid>`. */
export const EVIDENCE_TYPE_URI =
  /^https:\/\/sr\.oots\.tech(?:\.ec)?\.europa\.eu\/evidencetypeclassifications\/[A-Z]{2}\/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

const NATURAL_ATTRIBUTES: readonly MatchAttribute[] = ['FamilyName', 'GivenName', 'DateOfBirth'];

type Report = (path: readonly (string | number)[], message: string, hint: string, at?: 'key' | 'value') => void;

function semanticChecks(m: Omit<EvidenceMapping, 'id'>, report: Report): void {
  m.evidenceTypes.forEach((uri, i) => {
    if (!EVIDENCE_TYPE_URI.test(uri))
      report(
        ['evidenceTypes', i],
        `"${uri}" is not an evidence type classification URI of the OOTS Semantic Repository`,
        'write https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/<country code>/<uuid>, e.g. .../LV/0b7c2b8e-3f6a-4e61-9d1a-6c2f4b1e9a01',
      );
  });

  m.dagr.match.forEach((entry, i) => {
    const natural = NATURAL_ATTRIBUTES.includes(entry.attribute);
    if (natural !== (m.subject === 'NaturalPerson'))
      report(
        ['dagr', 'match', i, 'attribute'],
        `${entry.attribute} is not an attribute of a ${m.subject} in an OOTS request`,
        m.subject === 'NaturalPerson' ? 'use FamilyName, GivenName or DateOfBirth' : 'use LegalName',
      );
  });

  const { lookup } = m.dagr;
  if (lookup.from === 'legal-identifier') {
    if (m.subject !== 'LegalPerson')
      report(
        ['dagr', 'lookup', 'from'],
        'legal-identifier lookups need subject: LegalPerson',
        'use eidas-national for natural persons',
      );
    if (lookup.scheme === undefined)
      report(
        ['dagr', 'lookup'],
        'lookup from legal-identifier needs a scheme',
        'add `scheme: VAT` (or the schemeID the requests carry)',
        'key',
      );
  } else if (lookup.scheme !== undefined) {
    report(
      ['dagr', 'lookup', 'scheme'],
      `scheme is only used with from: legal-identifier (this lookup is ${lookup.from})`,
      'remove `scheme`',
      'key',
    );
  }

  const formats = new Map<string, number>();
  m.distributions.forEach((d, i) => {
    const earlier = formats.get(d.format);
    if (earlier !== undefined)
      report(
        ['distributions', i, 'format'],
        `${d.format} is already offered by distributions[${String(earlier)}]`,
        'keep one distribution per format',
      );
    else formats.set(d.format, i);

    if (d.format !== 'application/xml') return;
    const seen = new Map<string, number>();
    d.xml.fields.forEach((f, j) => {
      const earlierField = seen.get(f.path);
      if (earlierField !== undefined)
        report(
          ['distributions', i, 'xml', 'fields', j, 'path'],
          `element path ${f.path} is already used by fields[${String(earlierField)}]`,
          'give every field its own element path',
        );
      else seen.set(f.path, j);
    });
    d.xml.fields.forEach((f, j) => {
      const parent = f.path.split('/').slice(0, -1);
      for (let k = 1; k <= parent.length; k++) {
        const prefix = parent.slice(0, k).join('/');
        const leaf = seen.get(prefix);
        if (leaf !== undefined)
          report(
            ['distributions', i, 'xml', 'fields', j, 'path'],
            `element path ${f.path} is below ${prefix}, which fields[${String(leaf)}] fills with a value`,
            'an element holds either a value or child elements: rename one of the paths',
          );
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Placeholders and dataset definitions

const PLACEHOLDER = /\bTODO\b/;

/** Paths of every text that still holds `TODO`. */
function placeholderPaths(data: unknown): (string | number)[][] {
  const found: (string | number)[][] = [];
  const walk = (value: unknown, path: (string | number)[]): void => {
    if (typeof value === 'string') {
      if (PLACEHOLDER.test(value)) found.push(path);
    } else if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]));
    else if (value !== null && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
  };
  walk(data, []);
  return found;
}

function placeholderHint(path: readonly (string | number)[]): string {
  const last = path[path.length - 1];
  if (path[0] === 'evidenceTypes')
    return 'write the evidence type classification URI registered in the Semantic Repository, https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/LV/<uuid>';
  if (last === 'conformsTo' || last === 'namespace')
    return 'write the data model URI of the evidence in the Semantic Repository, e.g. https://sr.oots.tech.ec.europa.eu/datamodels/<model>';
  if (last === 'lv') return 'write the text in Latvian (latviešu valodā)';
  if (last === 'en') return 'write the text in English';
  if (path[0] === 'issuingAuthority') return 'write the authority identifier (e.g. its registration number, quoted)';
  if (path[0] === 'dagr') return 'write the VIRSIS permission number (quoted)';
  return 'replace TODO with the real value';
}

/** Every record field the mapping reads, with where it is written. */
export function fieldReads(m: Omit<EvidenceMapping, 'id'>): { path: (string | number)[]; field: string }[] {
  const reads: { path: (string | number)[]; field: string }[] = m.dagr.match.map((x, i) => ({
    path: ['dagr', 'match', i, 'field'],
    field: x.field,
  }));
  if (m.dagr.updatedAtField !== undefined)
    reads.push({ path: ['dagr', 'updatedAtField'], field: m.dagr.updatedAtField });
  m.distributions.forEach((d, i) => {
    if (d.format === 'application/xml')
      d.xml.fields.forEach((f, j) =>
        reads.push({ path: ['distributions', i, 'xml', 'fields', j, 'from'], field: f.from }),
      );
    else
      d.pdf.sections.forEach((s, j) =>
        s.fields.forEach((f, k) =>
          reads.push({ path: ['distributions', i, 'pdf', 'sections', j, 'fields', k, 'from'], field: f.from }),
        ),
      );
  });
  return reads;
}

function definitionChecks(m: Omit<EvidenceMapping, 'id'>, d: DatasetDefinition, report: Report): void {
  const names = d.fields.map((f) => f.name);
  const keyField = keyFieldOfDefinition(d);
  for (const read of fieldReads(m)) {
    if (definesField(d, read.field) || read.field === keyField) continue;
    const close = closest(read.field, names);
    const listed = names.length > 12 ? `${names.slice(0, 12).join(', ')}, ...` : names.join(', ');
    report(
      read.path,
      `DAGR dataset ${d.service} has no field ${read.field} (definition: ${d.source})`,
      close === undefined
        ? `use a field the dataset defines: ${listed}`
        : `did you mean \`${close}\`? (fields: ${listed})`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// ajv errors in words a data controller understands

function relevantErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  // `if`/`oneOf` wrappers repeat what their branches said.
  const useful = errors.filter((e) => e.keyword !== 'if' && e.keyword !== 'oneOf');
  const seen = new Set<string>();
  return useful.filter((e) => {
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

interface Described {
  path: (string | number)[];
  message: string;
  hint: string;
  at: 'key' | 'value';
  /** A `required` error: the field is missing. */
  missing?: boolean;
  /** An unknown key that looks like this known one. */
  suggests?: string;
}

function describeAjvError(e: ErrorObject, path: (string | number)[]): Described {
  const parentSchema = (e.parentSchema ?? {}) as {
    description?: string;
    properties?: Record<string, { description?: string }>;
    enum?: unknown[];
  };
  const p = e.params as Record<string, unknown>;
  const about = parentSchema.description === undefined ? '' : ` (${parentSchema.description})`;
  switch (e.keyword) {
    case 'required': {
      const prop = String(p['missingProperty']);
      const desc = parentSchema.properties?.[prop]?.description;
      return {
        path: [...path, prop],
        message: `${prop} is missing`,
        hint: `add \`${prop}:\`${desc === undefined ? '' : ` — ${desc}`}`,
        at: 'key',
        missing: true,
      };
    }
    case 'additionalProperties': {
      const prop = String(p['additionalProperty']);
      const allowed = Object.keys(parentSchema.properties ?? {});
      const close = closest(prop, allowed);
      return {
        path: [...path, prop],
        message: `${prop} is not a known field here`,
        hint: `${close === undefined ? 'remove it' : `did you mean \`${close}\`?`} (allowed here: ${allowed.join(', ')})`,
        at: 'key',
        ...(close === undefined ? {} : { suggests: close }),
      };
    }
    case 'type': {
      const expected = String(p['type']);
      const quote =
        expected === 'string' ? ' Quote the value in YAML ("...") so that numbers, dates and yes/no stay text.' : '';
      return {
        path,
        message: `must be ${article(expected)} ${expected}`,
        hint: `write ${article(expected)} ${expected}.${quote}${about}`,
        at: 'value',
      };
    }
    case 'enum': {
      const allowed = (p['allowedValues'] as unknown[]).map(String);
      return {
        path,
        message: `must be one of ${allowed.join(', ')}`,
        hint: `use one of: ${allowed.join(', ')}`,
        at: 'value',
      };
    }
    case 'const':
      return {
        path,
        message: `must be ${String(p['allowedValue'])}`,
        hint: `write ${String(p['allowedValue'])}`,
        at: 'value',
      };
    case 'discriminator':
      return {
        path: [...path, String(p['tag'])],
        message: 'format must be application/xml or application/pdf',
        hint: 'write `format: application/xml` (with conformsTo and xml) or `format: application/pdf` (with pdf)',
        at: p['error'] === 'tag' && typeof p['tagValue'] === 'undefined' ? 'key' : 'value',
      };
    case 'pattern':
      if (p['pattern'] === '\\S')
        return { path, message: 'must not be empty', hint: `write the text${about}`, at: 'value' };
      return {
        path,
        message: `has the wrong form (pattern ${String(p['pattern'])})`,
        hint: `see the field description${about}`,
        at: 'value',
      };
    case 'format':
      return {
        path,
        message: `must be ${String(p['format']) === 'uri' ? 'an absolute URI' : `a ${String(p['format'])}`}`,
        hint: `write a full URI starting with https://${about}`,
        at: 'value',
      };
    case 'minItems':
      return {
        path,
        message: `needs at least ${String(p['limit'])} entr${p['limit'] === 1 ? 'y' : 'ies'}`,
        hint: `add entries${about}`,
        at: 'key',
      };
    case 'uniqueItems':
      return {
        path: [...path, Number(p['j'])],
        message: `repeats entry ${String(p['i'])}`,
        hint: 'remove the duplicate',
        at: 'value',
      };
    case 'minimum':
      return {
        path,
        message: `must be at least ${String(p['limit'])}`,
        hint: `write a number of ${String(p['limit'])} or more`,
        at: 'value',
      };
    default:
      return { path, message: e.message ?? e.keyword, hint: `see schemas/mapping.schema.json${about}`, at: 'value' };
  }
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

function yamlHint(code: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'a field appears twice in the same block: keep one';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
    case 'UNEXPECTED_TOKEN':
      return 'check the indentation (spaces only, aligned with the sibling fields) and the quotes';
    case 'TAB_AS_INDENT':
      return 'indent with spaces, not tabs';
    default:
      return 'check the YAML syntax around this line (indentation, quotes, colons)';
  }
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

// ---------------------------------------------------------------------------------------------
// Paths and source positions

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function dotted(path: readonly (string | number)[]): string {
  let out = '';
  for (const step of path) out += typeof step === 'number' ? `[${String(step)}]` : out === '' ? step : `.${step}`;
  return out;
}

/**
 * Offset of the node at `path` (its key when `at` is `key` and it is a map entry). Walks as far as
 * the document goes: a missing field points at its nearest existing parent.
 */
function offsetOf(doc: Document, path: readonly (string | number)[], at: 'key' | 'value'): number {
  let node: unknown = doc.contents;
  let best = rangeStart(node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    const step = path[i]!;
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(step));
      if (pair === undefined) return best;
      const keyStart = rangeStart(pair.key);
      const valueStart = rangeStart(pair.value);
      if (last) return (at === 'key' ? keyStart : (valueStart ?? keyStart)) ?? best;
      best = keyStart ?? best;
      node = pair.value;
    } else if (isSeq(node) && typeof step === 'number') {
      const item = node.items[step];
      const start = rangeStart(item);
      if (item === undefined || start === undefined) return best;
      best = start;
      node = item;
    } else {
      return best;
    }
  }
  return rangeStart(node) ?? best;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
