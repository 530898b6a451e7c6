/** The pure parts of several evidences per request: which records, in which order; languages; associated documents. */
import type { NaturalPerson } from '../../../src/edm/model.js';
import { planAssociated, renderingLanguages, evidenceLanguages } from '../../../src/exchange/associated.js';
import { orderRecords, selectRecords } from '../../../src/exchange/records.js';
import type { EvidenceMapping } from '../../../src/mapping/model.js';
import type { DagrRecord } from '../../../src/mapping/record-path.js';

const rec = (n: string, date: unknown, name = 'Liepiņš'): DagrRecord => ({
  fields: { N: n, When: date, FamilyName: name },
  fetchedAt: '2026-11-25T10:00:00.000Z',
});
const dagr: EvidenceMapping['dagr'] = {
  service: 's',
  permission: '1',
  lookup: { from: 'eidas-national' },
  match: [{ attribute: 'FamilyName', field: 'FamilyName' }],
  nameMatching: 'exact',
};
const subject = { kind: 'NaturalPerson', familyName: 'Liepiņš' } as unknown as NaturalPerson;
const ns = (records: readonly DagrRecord[]): unknown[] => records.map((r) => r.fields['N']);

describe('records', () => {
  const records = [rec('b', '2009-06-19'), rec('none', undefined), rec('a', '2007-06-15'), rec('c', 30)];

  test('orderBy: dates and numbers in order, missing values last, stable', () => {
    expect(ns(orderRecords(records, { orderBy: 'When' }))).toEqual(['a', 'b', 'c', 'none']);
    expect(ns(orderRecords(records, { orderBy: 'When', order: 'descending' }))).toEqual(['c', 'b', 'a', 'none']);
    expect(ns(orderRecords(records, undefined))).toEqual(['b', 'none', 'a', 'c']);
    expect(ns(orderRecords([rec('x', 2), rec('y', 10)], { orderBy: 'When' }))).toEqual(['x', 'y']);
  });

  test('several: every matching record; otherwise the first, which must match', () => {
    const mixed = [rec('b', '2009'), rec('other', '2001', 'Cits'), rec('a', '2007')];
    expect(ns(selectRecords(subject, mixed, { dagr, records: { several: true, orderBy: 'When' } }))).toEqual([
      'a',
      'b',
    ]);
    expect(ns(selectRecords(subject, mixed, { dagr }))).toEqual(['b']);
    // Ordered first: the oldest is another person's record, so nothing.
    expect(ns(selectRecords(subject, mixed, { dagr, records: { orderBy: 'When' } }))).toEqual([]);
  });
});

describe('languages', () => {
  test('the requested languages the mapping has, in its order; otherwise all of them', () => {
    expect(renderingLanguages(['EN'], {})).toEqual(['en']);
    expect(renderingLanguages(['en', 'LV'], {})).toEqual(['lv', 'en']);
    expect(renderingLanguages([], {})).toEqual(['lv', 'en']);
    expect(renderingLanguages(['DE'], {})).toEqual(['lv', 'en']);
    expect(renderingLanguages(['EN'], { languages: ['lv'] })).toEqual(['lv']);
  });
  test('a structured evidence is in the mapping default language, a PDF in the rendering languages', () => {
    expect(evidenceLanguages({ format: 'application/xml' }, ['en'], {})).toEqual(['lv']);
    expect(evidenceLanguages({ format: 'application/pdf' }, ['en'], {})).toEqual(['en']);
  });
});

describe('associated documents', () => {
  const offers: Pick<EvidenceMapping, 'languages' | 'associatedDocuments'> = {
    associatedDocuments: ['HumanReadableVersion', 'Translation'],
  };
  const xml = { format: 'application/xml' } as const;
  const pdf = { format: 'application/pdf' } as const;

  test('a human-readable version of a structured evidence, in the rendering languages', () => {
    expect(planAssociated(['HumanReadableVersion'], offers, xml, ['lv', 'en'])).toEqual({
      plan: [{ role: 'HumanReadableVersion', languages: ['lv', 'en'] }],
      notOffered: [],
    });
  });
  test('translations: one PDF per language the evidence is not in', () => {
    expect(planAssociated(['Translation'], offers, xml, ['lv', 'en']).plan).toEqual([
      { role: 'Translation', languages: ['en'] },
    ]);
    expect(planAssociated(['Translation'], offers, pdf, ['en']).plan).toEqual([
      { role: 'Translation', languages: ['lv'] },
    ]);
  });
  test('asked and not offered: named, not produced', () => {
    expect(planAssociated(['HumanReadableVersion', 'Translation', 'Annex'], offers, pdf, ['lv', 'en'])).toEqual({
      plan: [],
      notOffered: ['HumanReadableVersion', 'Translation', 'Annex'],
    });
    expect(planAssociated(['HumanReadableVersion'], {}, xml, ['lv', 'en'])).toEqual({
      plan: [],
      notOffered: ['HumanReadableVersion'],
    });
  });
});
