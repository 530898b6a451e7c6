/**
 * Mappings registered through the admin API of a running adapter are answered without a restart
 * by real processes (an `all` process and a separate `worker`), each answer's audit record naming
 * the version that produced it: v1, then v2, then v1 again after a roll-back.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { envelopeFor } from '../../src/cli/send.js';
import type { OutboxSummary } from '../../src/sandbox/connector-standin.js';
import { startAdapter, type AdapterProcess } from '../support/processes.js';

const ID = 'lv-residence-certificate';
const EVIDENCE_TYPE =
  'https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/LV/7d0f5e2a-4c1b-4e8f-9a2d-3b6c5e8f1a20';
const V1 = /```yaml\n(# Izziņa[\s\S]*?)```/.exec(readFileSync('docs/mappings.md', 'utf8'))![1]!;
const V2 = V1.replace("version: '0.1.0'", "version: '0.2.0'").replace(
  '{ lv: Persona, en: Person }',
  '{ lv: Persona (v2), en: Person (v2) }',
);
const OPERATOR = { user: 'operator', password: randomBytes(12).toString('hex') };

const prefix = `{e2e-mappings-${randomBytes(4).toString('hex')}}`;
const dataDir = mkdtempSync(path.join(tmpdir(), 'oots-e2e-mappings-'));
const token = randomBytes(16).toString('hex');
const env = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  QUEUE_PREFIX: prefix,
  ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  CONNECTOR_INBOUND_TOKEN: token,
  HTTP_PORT: '0',
  DATA_DIR: dataDir,
  LOG_LEVEL: 'info',
  ADMIN_OPERATOR_USER: OPERATOR.user,
  ADMIN_OPERATOR_PASSWORD: OPERATOR.password,
};
const authz = `Basic ${Buffer.from(`${OPERATOR.user}:${OPERATOR.password}`).toString('base64')}`;

let all: AdapterProcess;
let worker: AdapterProcess;
let api: string;

describe('mappings go live in running processes', () => {
  beforeAll(async () => {
    all = await startAdapter(env, ['--role', 'all']);
    api = all.ready.api!;
    worker = await startAdapter(
      {
        ...env,
        DAGR_BASE_URL: all.ready.sandbox.dagr!,
        DAGR_PRIVATE_KEY_FILE: path.join(dataDir, 'dagr-sandbox-client.pem'),
        CONNECTOR_OUTBOUND_URL: `${api}/sandbox/connector/inbox`,
      },
      ['--role', 'worker'],
    );
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await all?.stop();
    const redis = new Redis('redis://127.0.0.1:6379');
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
    await redis.quit();
  }, 60_000);

  /** Both processes logged a reload serving `version` of the mapping. */
  async function servedEverywhere(version: string | undefined): Promise<void> {
    const serves = (p: AdapterProcess): boolean =>
      p.logs.some(
        (l) =>
          l['msg'] === 'mappings loaded' &&
          (l['mappings'] as { id: string; version: string }[]).some((m) => m.id === ID && m.version === version) &&
          // the latest load of this process
          l === [...p.logs].reverse().find((x) => x['msg'] === 'mappings loaded'),
      );
    for (let i = 0; i < 400 && !(serves(all) && serves(worker)); i++) await new Promise((r) => setTimeout(r, 50));
    expect(serves(all) && serves(worker)).toBe(true);
  }

  async function answeredVersion(): Promise<string> {
    const xml = readFileSync('examples/requests/lv-declared-residence-pdf.xml', 'utf8')
      .replace(
        /evidencetypeclassifications\/LV\/[0-9a-f-]{36}/,
        `evidencetypeclassifications/${EVIDENCE_TYPE.split('evidencetypeclassifications/')[1]!}`,
      )
      .replace(/(<query:QueryRequest\b[^>]*\bid=")urn:uuid:[^"]+"/, `$1urn:uuid:${randomUUID()}"`);
    const envelope = envelopeFor(Buffer.from(xml, 'utf8'));
    const posted = await fetch(`${api}/connector/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(envelope),
    });
    expect(posted.status).toBe(202);
    const conversationId = envelope.userMessage.conversationId;
    for (let i = 0; i < 600; i++) {
      const { messages } = (await (
        await fetch(`${api}/sandbox/connector/outbox?conversationId=${conversationId}`)
      ).json()) as { messages: OutboxSummary[] };
      if (messages.length > 0) {
        expect(messages[0]).toMatchObject({ action: 'ExecuteQueryResponse', status: 'Success' });
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const audit = (await (
      await fetch(`${api}/admin/api/audit/exchanges/${conversationId}`, { headers: { authorization: authz } })
    ).json()) as {
      records: { mappingId?: string; mappingVersion?: string }[];
    };
    const answered = audit.records.find((r) => r.mappingId === ID);
    return answered?.mappingVersion ?? 'none';
  }

  const upload = (text: string): Promise<Response> =>
    fetch(`${api}/admin/api/mappings?id=${ID}&activate=true`, {
      method: 'POST',
      headers: { authorization: authz, 'content-type': 'application/yaml', 'x-requested-by': 'e2e' },
      body: text,
    });

  test('v1, v2, roll-back to v1: each answer records its version', async () => {
    expect((await upload(V1)).status).toBe(201);
    await servedEverywhere('0.1.0+r1');
    expect(await answeredVersion()).toBe('0.1.0+r1');

    expect((await upload(V2)).status).toBe(201);
    await servedEverywhere('0.2.0+r2');
    expect(await answeredVersion()).toBe('0.2.0+r2');

    const rolled = await fetch(`${api}/admin/api/mappings/${ID}/rollback`, {
      method: 'POST',
      headers: { authorization: authz, 'x-requested-by': 'e2e' },
    });
    expect(rolled.status).toBe(200);
    await servedEverywhere('0.1.0+r1');
    expect(await answeredVersion()).toBe('0.1.0+r1');
  }, 120_000);
});
