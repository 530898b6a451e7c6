/**
 * A starter mapping from a DAGR dataset definition (`oots-adapter mappings new --service NAME`):
 * every field of the dataset in a PDF section and in the XML, with the lookup and identity match
 * guessed from the key and the field names. Everything a person must decide is written `TODO`
 * (labels in both languages, the evidence type, the data model URI, the issuing authority), so
 * the file fails `mappings validate` until it is filled in.
 */
import { keyFieldOfDefinition, type DatasetDefinition } from './definitions.js';

export interface StarterOptions {
  /** VIRSIS permission number, when known (`TODO` otherwise). */
  readonly permission?: string | undefined;
  /** Country code of the evidence type classification placeholder. Default `LV`. */
  readonly country?: string | undefined;
}

const LEGAL_KEYS = /^(RegistrationNumber|RegNumber|RegNr|CompanyCode)$/i;

/** The starter YAML text. */
export function starterMapping(d: DatasetDefinition, opts: StarterOptions = {}): string {
  const keyField = keyFieldOfDefinition(d) ?? d.fields[0]?.name ?? 'TODO';
  const names = new Set(d.fields.map((f) => f.name));
  const legal = LEGAL_KEYS.test(keyField) || (names.has('LegalName') && !names.has('FamilyName'));
  const eidasFull = !legal && keyField === 'Identifier';
  const country = (opts.country ?? 'LV').toUpperCase();
  const match: string[] = [];
  if (legal) {
    if (names.has('LegalName')) match.push('    - { attribute: LegalName, field: LegalName }');
  } else {
    for (const a of ['FamilyName', 'GivenName', 'DateOfBirth'])
      if (names.has(a)) match.push(`    - { attribute: ${a}, field: ${a} }`);
  }
  const updatedAt = d.updatedAtField ?? d.fields.find((f) => /^updated_?at$/i.test(f.name))?.name;
  const shown = d.fields.filter((f) => f.name !== updatedAt);
  const comment = (f: (typeof d.fields)[number]): string =>
    ` # ${f.type ?? 'string'}${f.description === undefined ? '' : `: ${oneLine(f.description)}`}`;
  const root = pascal(d.service);
  const lines = [
    `# Starter mapping for DAGR dataset ${d.service}, written by \`oots-adapter mappings new\` from ${d.source}.`,
    '# Replace every TODO (labels in Latvian and English, the evidence type, the data model URI, the',
    '# issuing authority), remove the fields the evidence must not show, then run',
    '# `npx oots-adapter mappings validate <this file>` until it reports no problem.',
    "version: '0.1.0'",
    'evidenceTypes:',
    `  - https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/${country}/TODO-evidence-type-uuid`,
    'title:',
    '  lv: TODO nosaukums latviski',
    '  en: TODO title in English',
    'issuingAuthority:',
    "  id: 'TODO'",
    '  scheme: urn:cef.eu:names:identifier:EAS:9939',
    '  name:',
    '    lv: TODO iestādes nosaukums',
    '    en: TODO name of the authority',
    `subject: ${legal ? 'LegalPerson' : 'NaturalPerson'}`,
    'dagr:',
    `  service: ${d.service}`,
    `  permission: '${opts.permission ?? 'TODO'}'`,
    '  lookup:',
    `    from: ${eidasFull ? 'eidas-full' : 'eidas-national'}${eidasFull ? ' # the key is the whole eIDAS identifier' : ` # the key ${keyField} is the national part of LV/xx/<code>`}`,
    ...(match.length === 0
      ? ['  match: [] # TODO: compare the request with the record (FamilyName, GivenName, DateOfBirth or LegalName)']
      : ['  match:', ...match]),
    '  nameMatching: fold-diacritics',
    ...(updatedAt === undefined ? [] : [`  updatedAtField: ${updatedAt}`]),
    'distributions:',
    '  - format: application/pdf',
    '    pdf:',
    '      sections:',
    '        - title: { lv: TODO sadaļa, en: TODO section }',
    '          fields:',
    ...shown.map((f) => `            - { label: { lv: TODO, en: TODO }, from: ${f.name} }${comment(f)}`),
    '  - format: application/xml',
    `    conformsTo: https://sr.oots.tech.ec.europa.eu/datamodels/TODO-${d.service}`,
    '    xml:',
    `      root: ${root}`,
    `      namespace: https://sr.oots.tech.ec.europa.eu/datamodels/TODO-${d.service}`,
    '      fields:',
    ...xmlFields(shown.map((f) => f.name)).map((x) => `        - { path: ${x.path}, from: ${x.from} }`),
  ];
  return `${lines.join('\n')}\n`;
}

/** Element paths from field paths (`Birth.Place` → `Birth/Place`); a path also used as a parent gets a `Value` leaf. */
function xmlFields(fields: readonly string[]): { path: string; from: string }[] {
  const paths = fields.map((f) =>
    f
      .split('.')
      .filter((s) => !/^\d+$/.test(s))
      .map(xmlName)
      .join('/'),
  );
  const parents = new Set(
    paths.flatMap((p) =>
      p
        .split('/')
        .slice(0, -1)
        .map((_, i, a) => a.slice(0, i + 1).join('/')),
    ),
  );
  const used = new Set<string>();
  return fields.flatMap((from, i) => {
    let path = paths[i]!;
    if (parents.has(path)) path = `${path}/Value`;
    if (used.has(path)) return [];
    used.add(path);
    return [{ path, from }];
  });
}

function xmlName(s: string): string {
  const cleaned = s.replace(/[^A-Za-z0-9_.-]/g, '_');
  return /^[A-Za-z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

function pascal(s: string): string {
  const p = s
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
  return /^[A-Za-z_]/.test(p) ? p : `E${p}`;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
