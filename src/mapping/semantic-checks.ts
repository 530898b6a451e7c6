/**
 * The checks of an evidence mapping that its JSON Schema cannot express: evidence type URIs,
 * identity-match attributes, placeholders left by `mappings new`, and the record fields the
 * mapping reads against the DAGR dataset definition. Problems are reported through `Report`
 * (src/mapping/parse.ts turns them into located MappingProblems).
 */
import { definesField, keyFieldOfDefinition, type DatasetDefinition } from './definitions.js';
import type { EvidenceMapping, MatchAttribute } from './model.js';
import { closest } from './spelling.js';

/** `https://sr.oots.tech(.ec).europa.eu/evidencetypeclassifications/<CC>/<uuid>`. */
export const EVIDENCE_TYPE_URI =
  /^https:\/\/sr\.oots\.tech(?:\.ec)?\.europa\.eu\/evidencetypeclassifications\/[A-Z]{2}\/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

const NATURAL_ATTRIBUTES: readonly MatchAttribute[] = ['FamilyName', 'GivenName', 'DateOfBirth'];

export type Report = (path: readonly (string | number)[], message: string, hint: string, at?: 'key' | 'value') => void;

export function semanticChecks(m: Omit<EvidenceMapping, 'id'>, report: Report): void {
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
  if (lookup.foreignNationals !== undefined && (lookup.from !== 'eidas-national' || m.subject !== 'NaturalPerson'))
    report(
      ['dagr', 'lookup', 'foreignNationals'],
      'foreignNationals is only used with from: eidas-national and subject: NaturalPerson',
      'remove `foreignNationals`, or look up natural persons with `from: eidas-national`',
      'key',
    );

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

  if (m.representation !== undefined && m.subject !== 'LegalPerson')
    report(
      ['representation'],
      'representation is checked for a company (subject: LegalPerson) only',
      'remove `representation`, or set subject: LegalPerson',
      'key',
    );
  // Associated documents are renderings of the record by the mapping's PDF layout.
  if ((m.associatedDocuments ?? []).length > 0 && !formats.has('application/pdf'))
    report(
      ['associatedDocuments'],
      'associated documents are rendered as PDF, and this mapping has no application/pdf distribution',
      'add an application/pdf distribution, or remove associatedDocuments',
      'key',
    );
}

// ---------------------------------------------------------------------------------------------
// Placeholders and dataset definitions

const PLACEHOLDER = /\bTODO\b/;

/** Paths of every text that still holds `TODO`. */
export function placeholderPaths(data: unknown): (string | number)[][] {
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

export function placeholderHint(path: readonly (string | number)[]): string {
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
  if (m.records?.orderBy !== undefined) reads.push({ path: ['records', 'orderBy'], field: m.records.orderBy });
  const foreign = m.dagr.lookup.foreignNationals;
  if (foreign !== undefined) {
    reads.push({ path: ['dagr', 'lookup', 'foreignNationals', 'person'], field: foreign.person });
    for (const [attribute, field] of Object.entries(foreign.fields))
      if (field !== undefined) reads.push({ path: ['dagr', 'lookup', 'foreignNationals', 'fields', attribute], field });
  }
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

export function definitionChecks(m: Omit<EvidenceMapping, 'id'>, d: DatasetDefinition, report: Report): void {
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
