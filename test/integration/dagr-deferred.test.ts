/**
 * The real DAGR client against the real DAGR sandbox with the shipped data: the record being
 * prepared (src/sandbox/dagr-data/being-prepared/records.json) answers 202 with `Retry-After`
 * until its preparation delay has passed, then the record; `deferred` carries the time to ask again.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createDagrClient } from '../../src/dagr/client.js';
import { loadSandboxDatasets } from '../../src/sandbox/dagr-data-loader.js';
import { startDagrSandbox, type StartedDagrSandbox } from '../../src/sandbox/dagr-server.js';

const T0 = Date.parse('2026-11-25T10:00:00.000Z');
let clock = T0;
let started: StartedDagrSandbox;
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const data = loadSandboxDatasets();
const birth = data.permissions.find((p) => p.service_name === 'pmlp_birth_records')!;
const lookup = {
  service: 'pmlp_birth_records',
  permission: birth.permission_number,
  key: '06068514508',
  correlationId: 'exch-deferred',
};

beforeAll(async () => {
  started = await startDagrSandbox({
    host: '127.0.0.1',
    port: 0,
    ...data,
    preparingDelaySeconds: 45,
    clientId: 'oots-adapter-test',
    clientPublicKey: publicKey,
    clock: () => clock,
  });
});
afterAll(() => started.stop());

test('the shipped data lists the record being prepared', () => {
  expect(data.preparing).toEqual([{ service: 'pmlp_birth_records', objectId: '06068514508' }]);
  // It is a record of its dataset like any other (the mapping reads its fields).
  const ds = data.datasets.find((d) => d.service_name === 'pmlp_birth_records')!;
  expect(ds.records.some((r) => r['PersonCode'] === '06068514508')).toBe(true);
});

test('202 with Retry-After until the delay has passed, then the record', async () => {
  const client = createDagrClient({
    baseUrl: started.url,
    clientId: 'oots-adapter-test',
    privateKey,
    timeoutMs: 2000,
    retries: 0,
    clock: () => clock,
  });
  try {
    expect(await client.lookup(lookup)).toEqual({ kind: 'deferred', retryAt: new Date(T0 + 45_000) });
    clock += 20_000;
    // Counted from the first lookup: 25 s left.
    expect(await client.lookup(lookup)).toEqual({ kind: 'deferred', retryAt: new Date(T0 + 45_000) });
    expect(await client.lookupAll(lookup)).toEqual([]);
    clock += 25_000;
    const found = await client.lookup(lookup);
    expect(found.kind).toBe('found');
    if (found.kind === 'found')
      expect(found.records[0].fields).toMatchObject({ FamilyName: 'Gaidis', GivenName: 'Kārlis' });
    expect(started.sandbox.stats()).toMatchObject({ deferred: 3, found: 1 });
    // Anyone else is served at once, as before.
    const other = await client.lookup({ ...lookup, key: '12048814731' });
    expect(other.kind).toBe('found');
    // A 202 is a healthy answer: the breaker stays closed.
    expect(client.breakerState()).toBe('closed');
  } finally {
    client.close();
  }
});
