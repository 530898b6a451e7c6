import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AdapterError } from '../../../src/errors.js';
import { MappingError, mappingIdOf, parseMappingFile, parseMappingSource } from '../../../src/mapping/parse.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const SCHEMA = JSON.parse(readFileSync(path.join(ROOT, 'schemas/mapping.schema.json'), 'utf8')) as object;

/** A valid mapping; tests break one thing at a time (line numbers below refer to this text). */
const VALID = `version: "1.0.0"
evidenceTypes:
  - https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/LV/40e71553-ddff-4f99-a79b-a506a939e416
title:
  lv: Dzimšanas apliecība
  en: Birth certificate
issuingAuthority:
  id: "90000045122"
  scheme: urn:cef.eu:names:identifier:EAS:9939
  name: { lv: Pilsonības un migrācijas lietu pārvalde, en: Office of Citizenship and Migration Affairs }
subject: NaturalPerson
dagr:
  service: pmlp_birth_records
  permission: "22791"
  lookup:
    from: eidas-national
  match:
    - { attribute: FamilyName, field: FamilyName }
    - { attribute: DateOfBirth, field: DateOfBirth }
  nameMatching: fold-diacritics
distributions:
  - format: application/pdf
    pdf:
      sections:
        - title: { lv: Bērns, en: Child }
          fields:
            - { label: { lv: Uzvārds, en: Family name }, from: FamilyName }
  - format: application/xml
    conformsTo: https://sr.oots.tech.ec.europa.eu/datamodels/lv-birth-certificate-1.0.0
    xml:
      root: BirthCertificate
      namespace: https://sr.oots.tech.ec.europa.eu/datamodels/lv-birth-certificate-1.0.0
      fields:
        - { path: Child/FamilyName, from: FamilyName }
        - { path: Child/DateOfBirth, from: DateOfBirth }
`;

const FILE = 'mappings/test-mapping.yaml';

function problemsOf(text: string, file = FILE) {
  const r = parseMappingSource(text, file, SCHEMA);
  if (r.ok) throw new Error('expected problems');
  return r.problems;
}

function replaceLine(n: number, line: string): string {
  const lines = VALID.split('\n');
  lines[n - 1] = line;
  return lines.join('\n');
}

describe('parseMappingFile', () => {
  test('the valid text parses, with the id from the file name, frozen', () => {
    const m = parseMappingFile(VALID, FILE, SCHEMA);
    expect(m.id).toBe('test-mapping');
    expect(m.version).toBe('1.0.0');
    expect(m.dagr.match).toHaveLength(2);
    expect(m.distributions.map((d) => d.format)).toEqual(['application/pdf', 'application/xml']);
    expect(Object.isFrozen(m.dagr.lookup)).toBe(true);
    expect(mappingIdOf('C:\\x\\lv-a.yml')).toBe('lv-a');
  });

  test('errors are MappingErrors (ERR_MAPPING_INVALID) whose message names file, line and field', () => {
    const text = replaceLine(14, '  permission: 22791');
    let error: unknown;
    try {
      parseMappingFile(text, FILE, SCHEMA);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MappingError);
    expect(error).toBeInstanceOf(AdapterError);
    const e = error as MappingError;
    expect(e.code).toBe('ERR_MAPPING_INVALID');
    expect(e.problems).toEqual([
      expect.objectContaining({
        file: FILE,
        line: 14,
        column: 15,
        field: 'dagr.permission',
        message: 'must be a string',
      }),
    ]);
    expect(e.problems[0]!.hint).toMatch(/Quote the value/);
    expect(e.message).toContain('mappings/test-mapping.yaml:14:15 dagr.permission: must be a string. Fix: ');
  });

  test.each<[string, string, { line: number; field: string; message: RegExp; hint: RegExp }]>([
    [
      'misspelt key',
      replaceLine(14, '  permision: "22791"'),
      { line: 14, field: 'dagr.permision', message: /not a known field/, hint: /did you mean `permission`/ },
    ],
    [
      'missing required key (points at the parent)',
      replaceLine(16, '    source: eidas-national'),
      { line: 15, field: 'dagr.lookup.from', message: /from is missing/, hint: /add `from:`.*eidas-national/ },
    ],
    [
      'unknown enum value',
      replaceLine(20, '  nameMatching: fuzzy'),
      { line: 20, field: 'dagr.nameMatching', message: /one of exact, fold-diacritics/, hint: /use one of/ },
    ],
    [
      'unknown match attribute',
      replaceLine(18, '    - { attribute: Surname, field: FamilyName }'),
      {
        line: 18,
        field: 'dagr.match[0].attribute',
        message: /one of FamilyName, GivenName, DateOfBirth, LegalName/,
        hint: /use one of/,
      },
    ],
    [
      'empty label',
      replaceLine(27, '            - { label: { lv: "", en: Family name }, from: FamilyName }'),
      {
        line: 27,
        field: 'distributions[0].pdf.sections[0].fields[0].label.lv',
        message: /must not be empty/,
        hint: /Latvian/,
      },
    ],
    [
      'blank English title',
      replaceLine(6, '  en: "   "'),
      { line: 6, field: 'title.en', message: /must not be empty/, hint: /English/ },
    ],
    [
      'XML without conformsTo',
      replaceLine(29, '    transformation: https://example.org/t'),
      { line: 28, field: 'distributions[1].conformsTo', message: /conformsTo is missing/, hint: /R-EDM-RESP-C044a/ },
    ],
    [
      'unknown format',
      replaceLine(22, '  - format: text/html'),
      {
        line: 22,
        field: 'distributions[0].format',
        message: /application\/xml or application\/pdf/,
        hint: /format: application\/pdf/,
      },
    ],
    [
      'not a URI',
      replaceLine(29, '    conformsTo: lv-birth-certificate'),
      { line: 29, field: 'distributions[1].conformsTo', message: /absolute URI/, hint: /https:\/\// },
    ],
    [
      'evidence type on a foreign host',
      replaceLine(3, '  - https://example.org/evidencetypeclassifications/LV/40e71553-ddff-4f99-a79b-a506a939e416'),
      {
        line: 3,
        field: 'evidenceTypes[0]',
        message: /not an evidence type classification URI/,
        hint: /sr\.oots\.tech\.ec\.europa\.eu/,
      },
    ],
    [
      'duplicate XML element path',
      replaceLine(35, '        - { path: Child/FamilyName, from: DateOfBirth }'),
      {
        line: 35,
        field: 'distributions[1].xml.fields[1].path',
        message: /already used by fields\[0\]/,
        hint: /own element path/,
      },
    ],
    [
      'element path below a value element',
      replaceLine(35, '        - { path: Child/FamilyName/Extra, from: DateOfBirth }'),
      {
        line: 35,
        field: 'distributions[1].xml.fields[1].path',
        message: /below Child\/FamilyName/,
        hint: /either a value or child elements/,
      },
    ],
    [
      'LegalName on a natural person',
      replaceLine(19, '    - { attribute: LegalName, field: DateOfBirth }'),
      {
        line: 19,
        field: 'dagr.match[1].attribute',
        message: /not an attribute of a NaturalPerson/,
        hint: /FamilyName, GivenName or DateOfBirth/,
      },
    ],
    [
      'legal-identifier lookup without scheme on a natural person',
      replaceLine(16, '    from: legal-identifier'),
      { line: 16, field: 'dagr.lookup.from', message: /need subject: LegalPerson/, hint: /eidas-national/ },
    ],
    [
      'duplicate key (YAML error)',
      replaceLine(15, '  service: again'),
      { line: 15, field: '', message: /YAML syntax error/, hint: /appears twice/ },
    ],
    [
      'bad indentation (YAML error)',
      replaceLine(13, '   service: pmlp_birth_records'),
      {
        line: 14,
        field: '',
        message: /YAML syntax error: All mapping items must start at the same column/,
        hint: /indentation/,
      },
    ],
  ])('%s', (_name, text, expected) => {
    const problems = problemsOf(text);
    expect(problems[0]).toEqual(
      expect.objectContaining({
        file: FILE,
        line: expected.line,
        field: expected.field,
        message: expect.stringMatching(expected.message),
        hint: expect.stringMatching(expected.hint),
      }),
    );
  });

  test('every schema problem of a file is reported at once', () => {
    let text = replaceLine(1, 'version: 1.0');
    text = text
      .replace('  permission: "22791"', '  permision: "22791"')
      .replace('nameMatching: fold-diacritics', 'nameMatching: fold');
    const problems = problemsOf(text);
    expect(problems.map((p) => [p.line, p.field])).toEqual([
      [1, 'version'],
      [14, 'dagr.permision'],
      [20, 'dagr.nameMatching'],
    ]);
  });

  test('a second distribution of the same format is refused', () => {
    const text = `${VALID}  - format: application/pdf\n    pdf: { sections: [ { title: { lv: a, en: b }, fields: [ { label: { lv: a, en: b }, from: X } ] } ] }\n`;
    expect(problemsOf(text)).toEqual([
      expect.objectContaining({
        line: 36,
        field: 'distributions[2].format',
        message: expect.stringMatching(/already offered by distributions\[0\]/),
      }),
    ]);
  });

  test('a file name that is not a usable id', () => {
    expect(problemsOf(VALID, 'mappings/Birth Certificate.yaml')).toEqual([
      expect.objectContaining({ line: 1, field: '', message: expect.stringMatching(/not lower-case/) }),
    ]);
  });

  test('a YAML alias bomb is a problem of the file, not a crash', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    expect(problemsOf(levels.join('\n'))).toEqual([
      expect.objectContaining({ line: 1, field: '', message: expect.stringMatching(/^YAML refused: .*alias/i) }),
    ]);
  });

  test('a YAML document that is not a mapping at all', () => {
    expect(problemsOf('- just\n- a list\n')[0]).toEqual(
      expect.objectContaining({ line: 1, field: '', message: 'must be an object' }),
    );
  });
});
