/**
 * Parsing and checking one evidence mapping file (`mappings/<id>.yaml`): YAML with source positions,
 * JSON Schema (`schemas/mapping.schema.json`, ajv) and the semantic checks a schema cannot express.
 * Every problem names the file, the line and the field, and says how to fix it: data controllers
 * write these files, not programmers.
 */
import AjvModule, { type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { AdapterError } from '../errors.js';
import type { DatasetDefinitions } from './definitions.js';
import type { EvidenceMapping } from './model.js';
import { describeAjvError, relevantErrors } from './schema-errors.js';
import { definitionChecks, placeholderHint, placeholderPaths, semanticChecks } from './semantic-checks.js';

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
