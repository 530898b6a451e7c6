import { readFileSync } from 'node:fs';
import { parseMappingFile } from '../../../src/mapping/parse.js';
import {
  evidenceTypeConflicts,
  revisionOf,
  rollbackTarget,
  storeVersion,
  withStoreVersion,
  type HistoryEvent,
  type MappingState,
  type StoredRevision,
} from '../../../src/mapping/versions.js';
import { readMappingSchema } from '../../../src/resources/mappings.js';

const rev = (revision: number): StoredRevision => ({
  revision,
  fileVersion: `1.${String(revision)}.0`,
  digest: `d${String(revision)}`,
  uploadedAt: '2026-11-25T10:00:00.000Z',
  uploadedBy: 'operator',
  source: 'upload',
});
const ev = (action: HistoryEvent['action'], revision: number | undefined): HistoryEvent => ({
  at: '2026-11-25T10:00:00.000Z',
  action,
  revision,
  actor: 'operator',
});
const state = (active: number | undefined, revisions: number[], history: HistoryEvent[]): MappingState => ({
  id: 'm',
  revisions: revisions.map(rev),
  active,
  history,
});

describe('store versions', () => {
  test.each([
    ['1.0.0', 3, '1.0.0+r3'],
    ['2.1', 12, '2.1+r12'],
    ['1.0.0+build.7', 2, '1.0.0+build.7.r2'],
  ])('%s at revision %d is recorded as %s, and reads back', (file, n, expected) => {
    expect(storeVersion(file, n)).toBe(expected);
    expect(revisionOf(expected)).toBe(n);
  });

  test('a plain file version has no revision', () => {
    expect(revisionOf('1.0.0')).toBeUndefined();
  });

  test('withStoreVersion changes only the version', () => {
    const m = parseMappingFile(
      readFileSync('mappings/lv-birth-certificate.yaml', 'utf8'),
      'lv-birth-certificate.yaml',
      readMappingSchema(),
    );
    const v = withStoreVersion(m, 4);
    expect(v).toEqual({ ...m, version: '1.0.0+r4' });
    expect(Object.isFrozen(v)).toBe(true);
  });
});

describe('rollbackTarget', () => {
  test.each<[string, MappingState, number | undefined]>([
    [
      'v2 replaced v1: back to v1',
      state(2, [1, 2], [ev('uploaded', 1), ev('activated', 1), ev('uploaded', 2), ev('activated', 2)]),
      1,
    ],
    [
      'v3 active after v1 was rolled back to: back to v1, not v2',
      state(3, [1, 2, 3], [ev('activated', 1), ev('activated', 2), ev('rolled-back', 1), ev('activated', 3)]),
      1,
    ],
    [
      'imported v1 only, never another active: nowhere',
      state(1, [1], [ev('imported', 1), ev('activated', 1)]),
      undefined,
    ],
    ['no history of another active revision: the one below', state(3, [1, 2, 3], [ev('activated', 3)]), 2],
    [
      'deactivated: the last active one',
      state(undefined, [1, 2], [ev('activated', 1), ev('activated', 2), ev('deactivated', 2)]),
      2,
    ],
    ['nothing ever active: nowhere', state(undefined, [1], [ev('uploaded', 1)]), undefined],
  ])('%s', (_name, s, expected) => {
    expect(rollbackTarget(s)).toBe(expected);
  });
});

describe('evidenceTypeConflicts', () => {
  const schema = readMappingSchema();
  const birth = parseMappingFile(
    readFileSync('mappings/lv-birth-certificate.yaml', 'utf8'),
    'lv-birth-certificate.yaml',
    schema,
  );
  const residence = parseMappingFile(
    readFileSync('mappings/lv-declared-residence.yaml', 'utf8'),
    'lv-declared-residence.yaml',
    schema,
  );

  test('another mapping serving the same type (other SR host) conflicts; the same id does not', () => {
    const copy = {
      ...birth,
      id: 'lv-birth-copy',
      evidenceTypes: [birth.evidenceTypes[0]!.replace('sr.oots.tech.ec.europa.eu', 'sr.oots.tech.europa.eu')],
    };
    expect(evidenceTypeConflicts(copy, [birth, residence])).toEqual([
      expect.objectContaining({
        file: 'lv-birth-copy.yaml',
        field: 'evidenceTypes[0]',
        message: expect.stringMatching(/already served by the active mapping lv-birth-certificate/),
      }),
    ]);
    expect(evidenceTypeConflicts(birth, [birth, residence])).toEqual([]);
  });
});
