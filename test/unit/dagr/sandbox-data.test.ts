import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { keyFieldOf, loadSandboxDatasets, SandboxDataError } from '../../../src/sandbox/dagr-data-loader.js';
import { parseFaultSettings } from '../../../src/sandbox/dagr-server.js';

describe('DAGR sandbox data loader', () => {
  test('the shipped datasets load, every record has its key, every dataset has a permission', () => {
    const { datasets, permissions } = loadSandboxDatasets();
    expect(datasets.length).toBeGreaterThanOrEqual(4);
    for (const d of datasets) {
      const key = keyFieldOf(d.key)!;
      expect(d.records.length).toBeGreaterThan(0);
      for (const r of d.records) expect(r[key]).toBeDefined();
      expect(permissions.some((p) => p.service_name === d.service_name)).toBe(true);
    }
  });

  describe('broken files are named', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'dagr-data-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));
    const dataset = {
      service_name: 's',
      description: 'd',
      key: 'Code',
      fields: [{ name: 'Code', type: 'string', description: '' }],
      records: [{ Code: '1' }],
    };

    test.each<[string, unknown, RegExp]>([
      ['not JSON', '{', /not valid JSON/],
      ['no key field in a record', { ...dataset, records: [{ Other: 1 }] }, /records\[0\] has no key field Code/],
      ['records not objects', { ...dataset, records: [1] }, /records/],
      ['no service name', { ...dataset, service_name: '' }, /service_name/],
    ])('%s', (_name, content, why) => {
      writeFileSync(path.join(dir, 'broken.json'), typeof content === 'string' ? content : JSON.stringify(content));
      expect(() => loadSandboxDatasets(dir)).toThrow(SandboxDataError);
      expect(() => loadSandboxDatasets(dir)).toThrow(why);
      expect(() => loadSandboxDatasets(dir)).toThrow(/broken\.json/);
    });

    test('permissions are checked and completed', () => {
      writeFileSync(path.join(dir, 's.json'), JSON.stringify(dataset));
      writeFileSync(
        path.join(dir, 'permissions.json'),
        JSON.stringify([{ service_name: 's', permission_number: '1' }]),
      );
      expect(loadSandboxDatasets(dir).permissions).toEqual([
        {
          service_name: 's',
          permission_number: '1',
          purpose_of_use: '',
          use_count: 0,
          use_count_quota: null,
          valid_from: null,
          valid_to: null,
        },
      ]);
      writeFileSync(path.join(dir, 'permissions.json'), JSON.stringify([{ service_name: 's', permission_number: 1 }]));
      expect(() => loadSandboxDatasets(dir)).toThrow(/permission_number/);
    });
  });

  test.each([
    ['PersonCode', 'PersonCode'],
    ['PersonCode(, Id)', 'PersonCode'],
    [' RegistrationNumber', 'RegistrationNumber'],
    ['(x)', undefined],
  ])('key %p → field %p', (key, field) => {
    expect(keyFieldOf(key)).toBe(field);
  });
});

describe('fault settings', () => {
  test.each<[unknown, object | RegExp]>([
    [{ latencyMs: 10 }, { latencyMs: 10 }],
    [
      { down: true, notFound: ['1'] },
      { down: true, notFound: ['1'] },
    ],
    [
      { failNext: { count: 2, status: 429, retryAfterSeconds: 3 } },
      { failNext: { count: 2, status: 429, retryAfterSeconds: 3 } },
    ],
    [{ failNext: { count: 1, status: 404 } }, /500, 502, 503 or 429/],
    [{ latencyMs: -1 }, /latencyMs/],
    [{ down: 'yes' }, /down/],
    [{ notFound: [1] }, /notFound/],
    [{ slow: true }, /unknown knob/],
    [[], /JSON object/],
  ])('%j', (body, expected) => {
    const result = parseFaultSettings(body);
    if (expected instanceof RegExp) expect(result).toMatch(expected);
    else expect(result).toEqual(expected);
  });
});
