/**
 * Records added to a sandbox dataset from `extra-records/` (src/sandbox/dagr-data-loader.ts): the
 * shipped foreign nationals are served as part of the residence dataset, and a broken records file
 * is named at start-up.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadSandboxDatasets, SandboxDataError } from '../../../src/sandbox/dagr-data-loader.js';

test('the shipped foreign nationals are records of pmlp_declared_residence, after its own', () => {
  const residence = loadSandboxDatasets().datasets.find((d) => d.service_name === 'pmlp_declared_residence')!;
  const codes = residence.records.map((r) => r['PersonCode']);
  expect(codes).toContain('12048814731');
  expect(codes.slice(-5)).toEqual(['36120458173', '35507219460', '37741308852', '33918264705', '38256031947']);
});

describe('a records file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dagr-extra-'));
    mkdirSync(path.join(dir, 'extra-records'));
    writeFileSync(
      path.join(dir, 's.json'),
      JSON.stringify({
        service_name: 's',
        description: 'd',
        key: 'Code',
        fields: [{ name: 'Code', type: 'string', description: '' }],
        records: [{ Code: '1' }],
      }),
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const write = (content: unknown): void =>
    writeFileSync(path.join(dir, 'extra-records', 's.more.json'), JSON.stringify(content));

  test('adds its records to the dataset it extends', () => {
    write({ extends: 's', description: 'more', records: [{ Code: '2' }] });
    expect(loadSandboxDatasets(dir).datasets[0]!.records).toEqual([{ Code: '1' }, { Code: '2' }]);
  });

  test.each<[string, unknown, RegExp]>([
    ['extends no dataset', { extends: 't', description: 'x', records: [] }, /extends no dataset named t/],
    [
      'a record without the key field',
      { extends: 's', description: 'x', records: [{ Other: 1 }] },
      /has no key field Code/,
    ],
    ['no description', { extends: 's', records: [] }, /description/],
    ['not an object', [1], /must be a JSON object/],
  ])('%s: refused, the file named', (_what, content, why) => {
    write(content);
    expect(() => loadSandboxDatasets(dir)).toThrow(SandboxDataError);
    expect(() => loadSandboxDatasets(dir)).toThrow(why);
    expect(() => loadSandboxDatasets(dir)).toThrow(/s\.more\.json/);
  });
});
