/**
 * Generates `src/edm/codelists.ts` from the genericode (.gc) code lists of the EDM v1.0 snapshot.
 *
 *   npx tsx scripts/extract-codelists.ts [codelists-dir] [out-file]
 *
 * The code is the value of the column named by the list's `<Key>` (`code` in the OOTS lists,
 * `Code` in EAS.gc). Values are whitespace-trimmed: the columns are `normalizedString`, and the
 * upstream files carry stray whitespace (`IP `, a tab before `image/svg+xml`). The files are read
 * with regular expressions on purpose: `EDMErrorCodes-CodeList.gc` is not well-formed upstream
 * (`...QueryRequest/SimpleValue>`), and a lenient reader keeps it a faithful source rather than a
 * hand-copied one. `test/unit/edm/codelists.test.ts` regenerates the module and compares, so the
 * committed data cannot drift from the .gc files.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import prettier from 'prettier';

export interface GenericodeList {
  readonly file: string;
  readonly shortName: string;
  readonly version: string;
  /** Rows as column id → trimmed value; the key column is `keyColumn`. */
  readonly rows: readonly Readonly<Record<string, string>>[];
  readonly keyColumn: string;
}

/** Reads one genericode file leniently (see the module comment). */
export function readGenericode(file: string): GenericodeList {
  const text = readFileSync(file, 'utf8');
  const shortName = /<Identification>[\s\S]*?<ShortName>([^<]*)<\/ShortName>/.exec(text)?.[1]?.trim() ?? '';
  const version = /<Version>([^<]*)<\/Version>/.exec(text)?.[1]?.trim() ?? '';
  const keyColumn = /<Key\b[\s\S]*?<ColumnRef\s+Ref="([^"]+)"/.exec(text)?.[1] ?? 'code';
  const rows: Record<string, string>[] = [];
  for (const row of text.matchAll(/<Row>([\s\S]*?)<\/Row>/g)) {
    const values: Record<string, string> = {};
    for (const v of row[1]!.matchAll(
      /<Value\s+ColumnRef="([^"]+)"\s*>\s*<SimpleValue>([\s\S]*?)(?:<\/SimpleValue>|\/SimpleValue>)/g,
    )) {
      values[v[1]!] = decodeEntities(v[2]!).trim();
    }
    rows.push(values);
  }
  return { file, shortName, version, rows, keyColumn };
}

function decodeEntities(s: string): string {
  return s
    .replace(/&#x([0-9a-f]+);/gi, (_m, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#([0-9]+);/g, (_m, d: string) => String.fromCodePoint(parseInt(d, 10)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Distinct key values in file order. */
export function codesOf(list: GenericodeList): string[] {
  const out: string[] = [];
  for (const row of list.rows) {
    const code = row[list.keyColumn];
    if (code !== undefined && code !== '' && !out.includes(code)) out.push(code);
  }
  return out;
}

interface SetSpec {
  readonly name: string;
  readonly file: string;
  readonly doc: string;
}

const SETS: readonly SetSpec[] = [
  {
    name: 'LANGUAGE_CODES',
    file: 'External/LanguageCode-2.3.gc',
    doc: 'Language codes (ISO 639, upper case; both 2- and 3-letter codes as listed)',
  },
  {
    name: 'COUNTRY_CODES',
    file: 'External/CountryIdentificationCode-2.3.gc',
    doc: "Country codes (ISO 3166 with the EU's `EL` for Greece; alpha-2 and alpha-3 as listed)",
  },
  {
    name: 'EAS_CODES',
    file: 'External/EAS.gc',
    doc: 'Electronic Address Scheme codes (the suffix of `urn:cef.eu:names:identifier:EAS:<code>`)',
  },
  { name: 'PROCEDURES', file: 'OOTS/Procedures-CodeList.gc', doc: 'SDGR Annex II procedure codes' },
  { name: 'AGENT_CLASSIFICATIONS', file: 'OOTS/AgentClassification-CodeList.gc', doc: 'Agent classifications' },
  { name: 'LEVELS_OF_ASSURANCE', file: 'OOTS/LevelsOfAssurance-CodeList.gc', doc: 'eIDAS levels of assurance' },
  {
    name: 'OOTS_MEDIA_TYPES',
    file: 'OOTS/OOTSMediaTypes-CodeList.gc',
    doc: 'Media types an evidence may be distributed as',
  },
  {
    name: 'IDENTIFIER_SCHEMES',
    file: 'OOTS/IdentifierSchemes-CodeList.gc',
    doc: 'eIDAS legal person identifier schemes',
  },
  {
    name: 'ERROR_SEVERITIES',
    file: 'OOTS/ErrorSeverity-CodeList.gc',
    doc: 'Error severities (snapshot host `sr.oots.tech.europa.eu`; final releases use `sr.oots.tech.ec.europa.eu`)',
  },
];

const EDM_ERRORS_FILE = 'OOTS/EDMErrorCodes-CodeList.gc';

/** A `|`-joined string in chunks, so that 700 codes stay a few dozen readable lines. */
function joined(values: readonly string[]): string {
  for (const v of values)
    if (v.includes('|') || v.includes("'")) throw new Error(`unexpected code ${JSON.stringify(v)}`);
  const chunks: string[] = [];
  let chunk = '';
  for (const v of values) {
    const item = chunk === '' ? v : `|${v}`;
    if (chunk.length + item.length > 96) {
      chunks.push(chunk + '|');
      chunk = v;
    } else {
      chunk += item;
    }
  }
  chunks.push(chunk);
  return chunks.map((c) => `'${c}'`).join(' +\n    ');
}

/** The text of `src/edm/codelists.ts` for the code lists in `dir`. */
export function renderCodeListsModule(dir: string): string {
  const out: string[] = [
    '/**',
    ' * OOTS EDM code lists, GENERATED by `scripts/extract-codelists.ts` from the genericode files of the',
    ' * EDM v1.0 snapshot (`oots-edm/v1.0/codelists`); do not edit by hand, re-run the script. Values are',
    ' * exact codes: rules test membership, never substrings (the official Schematron uses `contains()`).',
    ' */',
    '',
  ];
  for (const spec of SETS) {
    const list = readGenericode(path.join(dir, spec.file));
    out.push(`/** ${spec.doc}. Source: \`${spec.file}\` (${list.shortName}, version ${list.version}). */`);
    out.push(`export const ${spec.name}: ReadonlySet<string> = new Set(`);
    out.push(`  (${joined(codesOf(list))}).split('|'),`);
    out.push(');', '');
  }

  const errors = readGenericode(path.join(dir, EDM_ERRORS_FILE));
  out.push('/** What an EDM error code stands for: the `rs:Exception` `xsi:type` and the default message. */');
  out.push('export interface EdmErrorCodeEntry {');
  out.push('  readonly xsiType: string;');
  out.push('  readonly message: string;');
  out.push('}', '');
  out.push(
    `/** EDM error codes. Source: \`${EDM_ERRORS_FILE}\` (${errors.shortName}, version ${errors.version}; not well-formed upstream, read leniently). */`,
  );
  out.push('export const EDM_ERROR_CODES: ReadonlyMap<string, EdmErrorCodeEntry> = new Map([');
  for (const row of errors.rows) {
    const code = row[errors.keyColumn];
    if (code === undefined || code === '') continue;
    const entry = { xsiType: row['name-Type'] ?? '', message: row['name-Value'] ?? '' };
    out.push(
      `  [${JSON.stringify(code)}, { xsiType: ${JSON.stringify(entry.xsiType)}, message: ${JSON.stringify(entry.message)} }],`,
    );
  }
  out.push(']);', '');

  // Later additions, absent from the v1.0 snapshot's .gc files (notes §8 and "Known rule deltas").
  out.push('/** Procedure `00` (production tests), added to the Procedures code list in TDD 1.1.2. */');
  out.push("export const PROCEDURES_SINCE_1_1_2: ReadonlySet<string> = new Set(['00']);", '');
  out.push('/** Procedure codes added in TDD 1.2.5 (back-ported to 1.2.4). */');
  out.push("export const PROCEDURES_SINCE_1_2_5: ReadonlySet<string> = new Set(['V5', 'X7', 'X9', 'AM1']);", '');
  return out.join('\n');
}

/** The module text as committed: `renderCodeListsModule` formatted with the project's Prettier settings. */
export async function formatCodeListsModule(dir: string, outFile: string): Promise<string> {
  const options = (await prettier.resolveConfig(outFile)) ?? {};
  return prettier.format(renderCodeListsModule(dir), { ...options, filepath: outFile });
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const dir = process.argv[2] ?? path.resolve(root, '..', 'shared', 'oots-edm', 'v1.0', 'codelists');
  const outFile = process.argv[3] ?? path.join(root, 'src', 'edm', 'codelists.ts');
  writeFileSync(outFile, await formatCodeListsModule(dir, outFile));
  console.log(`wrote ${outFile}`);
}
