/**
 * A data controller's whole path on a real Redis, through the CLI (child processes) and the admin
 * API (real HTTP): a mapping written from `mappings new`, fixed until `mappings validate` passes,
 * tried on a sandbox person, registered, answered by the exchange without a restart (in this
 * process and in another one, via pub/sub), replaced by v2, which fails at run time for one
 * person (EDM:ERR:0008 + alert), rolled back to v1 — each answer carrying the version that
 * produced it.
 */
import { randomBytes } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import express from 'express';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { createMappingsAdminRouter, createRedisTryCache } from '../../src/admin/mappings-router.js';
import { EBRS_MIME_TYPE } from '../../src/ebms/model.js';
import { answerRequest, type ExchangeResult } from '../../src/exchange/answer.js';
import { tryRequestXml, tryUserMessage, TRY_PAYLOAD_HREF } from '../../src/mapping/try-request.js';
import { createAdminAuth } from '../../src/admin/auth.js';
import { createLogger } from '../../src/infra/logger.js';
import { importMappingFiles } from '../../src/mapping-store/import-files.js';
import { createLiveMappings, type LiveMappings } from '../../src/mapping-store/live-mappings.js';
import { createMappingFailureAlert } from '../../src/mapping-store/mapping-alerts.js';
import { createMappingStore } from '../../src/mapping-store/mapping-store.js';
import { createMappingTryer } from '../../src/mapping-store/try-mapping.js';
import { sandboxDefinitions } from '../../src/mapping-store/definitions-source.js';
import { readMappingSchema } from '../../src/resources/mappings.js';
import type { EvidenceMapping } from '../../src/mapping/model.js';
import { fakeDagr, testDeps } from '../support/exchange-fixtures.js';
import { deleteKeys, REDIS_URL, testPrefix } from '../support/connector-fixtures.js';
import { basic, sample, serve, type Served } from '../unit/ops/serve.js';

const OPERATOR = { user: 'operator', password: 'operator-password-0123' };
const VIEWER = { user: 'viewer', password: 'viewer-password-0123' };
const ID = 'lv-residence-certificate';
const EVIDENCE_TYPE =
  'https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/LV/7d0f5e2a-4c1b-4e8f-9a2d-3b6c5e8f1a20';
const ANNA = '120488-14731';
/** Jānis Kalniņš has no apartment number in the sandbox. */
const JANIS = '231175-10621';

const work = mkdtempSync(path.join(tmpdir(), 'oots-mappings-'));
const file = path.join(work, `${ID}.yaml`);
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
const prefix = testPrefix('mappings');
const logger = createLogger('silent');
const schema = readMappingSchema();
const definitions = sandboxDefinitions();
const store = createMappingStore(redis, { prefix, schema, definitions: () => definitions });
const metrics = new Registry();
const alert = createMappingFailureAlert({ logger, registry: metrics });
const auth = createAdminAuth({ viewer: VIEWER, operator: OPERATOR })!;
const deps = testDeps({ dagr: fakeDagr() });
let live: LiveMappings;
let served: Served;
let child: ChildProcess | undefined;
const childLines: Record<string, unknown>[] = [];

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/entry.ts', 'mappings', ...args], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '', LOG_LEVEL: 'silent', DATA_DIR: path.join(work, 'var') },
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What the controller types into the starter: real labels, the evidence type, the authority. */
function fillIn(text: string): string {
  let n = 0;
  return text
    .replace('LV/TODO-evidence-type-uuid', EVIDENCE_TYPE.split('/evidencetypeclassifications/')[1]!)
    .replace('TODO nosaukums latviski', 'Izziņa par deklarēto dzīvesvietu')
    .replace('TODO title in English', 'Certificate of declared residence')
    .replace("id: 'TODO'", "id: '90000045122'")
    .replace('TODO iestādes nosaukums', 'Pilsonības un migrācijas lietu pārvalde')
    .replace('TODO name of the authority', 'Office of Citizenship and Migration Affairs')
    .replace("permission: 'TODO'", "permission: '22792'")
    .replace('{ lv: TODO sadaļa, en: TODO section }', '{ lv: Dzīvesvieta, en: Residence }')
    .replace(/\{ lv: TODO, en: TODO \}/g, () => {
      n++;
      return `{ lv: Lauks ${String(n)}, en: Field ${String(n)} }`;
    })
    .replace(/TODO-pmlp_declared_residence/g, 'lv-residence-certificate-0.1.0');
}

/** What a requester's QueryRequest names: this evidence type as PDF, about a natural person. */
const REQUESTED = {
  id: ID,
  version: 'n/a',
  subject: 'NaturalPerson',
  evidenceTypes: [EVIDENCE_TYPE],
  title: { lv: 'Dzīvesvieta', en: 'Residence' },
  issuingAuthority: {
    id: '90000045122',
    scheme: 'urn:cef.eu:names:identifier:EAS:9939',
    name: { lv: 'PMLP', en: 'PMLP' },
  },
  distributions: [{ format: 'application/pdf', pdf: { sections: [] } }],
} as unknown as EvidenceMapping;

/** One exchange as a worker runs it, with the live mappings as `deps.registry`. */
async function answer(subject: string, mappings: { registry: LiveMappings['registry'] }): Promise<ExchangeResult> {
  const found = await deps.dagr.lookup({
    service: 'pmlp_declared_residence',
    permission: '22792',
    key: subject.replace('-', ''),
    correlationId: 'test',
  });
  if (found.kind !== 'found') throw new Error('sandbox person missing');
  const f = found.records[0].fields;
  const base = {
    requestId: crypto.randomUUID(),
    evidenceRequestId: crypto.randomUUID(),
    conversationId: crypto.randomUUID(),
    messageId: `${crypto.randomUUID()}@de.example`,
    issueDateTime: '2026-11-25T09:59:00.000Z',
    provider: { identifier: '90000012827', scheme: 'urn:cef.eu:names:identifier:EAS:9939' },
  };
  const xml = tryRequestXml({
    ...base,
    mapping: REQUESTED,
    format: 'application/pdf',
    subject: {
      id: subject,
      familyName: String(f['FamilyName']),
      givenName: String(f['GivenName']),
      dateOfBirth: String(f['DateOfBirth']),
    },
  });
  const result = await answerRequest(
    {
      exchangeRef: 'ref-mappings',
      userMessage: tryUserMessage(base),
      payloads: [{ href: TRY_PAYLOAD_HREF, mimeType: EBRS_MIME_TYPE, bytes: Buffer.from(xml) }],
    },
    { ...deps, registry: mappings.registry },
  );
  alert.observe(result.summary);
  return result;
}

async function until(what: () => boolean | Promise<boolean>, label: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await what()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`condition not reached: ${label}`);
}

const api = (p: string, init: RequestInit & { as?: typeof OPERATOR } = {}): Promise<Response> => {
  const who = init.as ?? OPERATOR;
  return fetch(`${served.url}${p}`, {
    ...init,
    headers: {
      authorization: basic(who.user, who.password),
      'x-requested-by': 'mappings-test',
      ...(init.headers as Record<string, string> | undefined),
    },
  });
};
const upload = (text: string, activate: boolean): Promise<Response> =>
  api(`/admin/api/mappings?id=${ID}${activate ? '&activate=true' : ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/yaml' },
    body: text,
  });

const servedVersion = (): string | undefined => {
  const r = live.registry.find(EVIDENCE_TYPE, undefined);
  return r.ok ? r.mapping.version : undefined;
};
const childVersion = (): string | undefined => {
  for (let i = childLines.length - 1; i >= 0; i--) {
    const line = childLines[i] as { mappings?: { id: string; version: string }[] };
    if (line.mappings !== undefined) return line.mappings.find((m) => m.id === ID)?.version ?? 'none';
  }
  return undefined;
};

beforeAll(async () => {
  live = createLiveMappings(redis, { store, logger, checkIntervalMs: 1000 });
  await live.ready;
  const app = express();
  app.use(
    createMappingsAdminRouter({
      store,
      tries: createRedisTryCache(redis, { prefix: `${prefix}:admin:`, key: randomBytes(32) }),
      auth,
      logger,
      tryer: createMappingTryer({
        dagr: deps.dagr,
        renderer: deps.renderer,
        provider: deps.provider,
        messageDomain: deps.messageDomain,
        uuid: () => crypto.randomUUID(),
        now: () => new Date(),
      }),
    }),
  );
  served = await serve(app);
  child = spawn(process.execPath, ['--import', 'tsx', 'test/integration/mappings-live-child.ts', REDIS_URL, prefix], {
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  createInterface({ input: child.stdout! }).on('line', (line) =>
    childLines.push(JSON.parse(line) as Record<string, unknown>),
  );
  await until(() => childLines.some((l) => l['ready'] === true), 'child ready');
});

afterAll(async () => {
  if (child !== undefined && child.exitCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.stdin!.end();
    await exited;
  }
  await served.close();
  await live.close();
  await deleteKeys(redis, prefix);
  await redis.quit();
  rmSync(work, { recursive: true, force: true });
});

describe('a data controller registers a new evidence mapping', () => {
  let v1Text: string;

  test('new writes a starter from the dataset definition that fails validate until filled in', () => {
    const made = cli(['new', '--service', 'pmlp_declared_residence', '--out', file]);
    expect(made.status).toBe(0);
    expect(made.stderr).toMatch(/fails `oots-adapter mappings validate` until you replace every TODO/);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/from: Address\.Apartment/);

    const checked = cli(['validate', file]);
    expect(checked.status).toBe(1);
    expect(checked.stdout).toContain(
      `${file}:9:7 title.lv: is still a placeholder (TODO). Fix: write the text in Latvian`,
    );
    expect(checked.stdout).toMatch(/dagr\.permission: is still a placeholder/);
  });

  test('validate ends every problem line and its summary with a newline (a YAML syntax error)', () => {
    const broken = path.join(work, 'unclosed-quote.yaml');
    writeFileSync(broken, 'evidenceType: "https://example.invalid\nid: x\n');
    const checked = cli(['validate', broken]);
    expect(checked.status).toBe(1);
    expect(checked.stdout).toMatch(/YAML syntax error: .*and the quotes\n$/);
    expect(checked.stderr).toBe('1 of 1 mapping(s) have problems\n');
  });

  test('a misspelt DAGR field is named with file, line, field and a hint; the fixed file passes', () => {
    const typo = fillIn(readFileSync(file, 'utf8')).replace('from: Address.City }', 'from: Address.Cty }');
    writeFileSync(file, typo);
    const checked = cli(['validate', file]);
    expect(checked.status).toBe(1);
    const line = typo.split('\n').findIndex((l) => l.includes('Address.Cty')) + 1;
    expect(checked.stdout).toMatch(
      new RegExp(
        `${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:${String(line)}:\\d+ distributions\\[0\\]\\.pdf\\.sections\\[0\\]\\.fields\\[\\d+\\]\\.from: DAGR dataset pmlp_declared_residence has no field Address\\.Cty .*Fix: did you mean \`Address\\.City\`\\?`,
      ),
    );

    // The apartment number may be absent, and place and country of birth are held for foreign
    // nationals only: the controller marks them optional.
    v1Text = typo
      .replace('from: Address.Cty }', 'from: Address.City }')
      .replace(/(from: (?:Address\.Apartment|BirthPlace|BirthCountry)) \}/g, '$1, optional: true }');
    writeFileSync(file, v1Text);
    const fixed = cli(['validate', file]);
    expect(fixed.stderr).toMatch(/1 mapping\(s\) valid/);
    expect(fixed.status).toBe(0);
  });

  test('try shows the identity match and writes the evidence and the QueryResponse', () => {
    const out = path.join(work, 'try');
    const tried = cli(['try', file, '--subject', JANIS, '--format', 'pdf', '--out', out]);
    expect(tried.stdout).toMatch(/identity match: matched/);
    expect(tried.stdout).toMatch(/answer: evidence/);
    expect(tried.status).toBe(0);
    expect(
      readFileSync(path.join(out, `${ID}.pdf`))
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    expect(readFileSync(path.join(out, 'query-response.xml'), 'utf8')).toMatch(
      /<query:QueryResponse[^>]*status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"/,
    );

    const mismatch = cli([
      'try',
      file,
      '--subject',
      JANIS,
      '--given-name',
      'Pēteris',
      '--out',
      path.join(work, 'try2'),
    ]);
    expect(mismatch.stdout).toMatch(/identity match: NOT matched \(GivenName\)/);
    expect(mismatch.status).toBe(1);
    expect(existsSync(path.join(work, 'try2', `${ID}.pdf`))).toBe(false);
  });

  test('dsd prints the classification, distributions with ConformsTo and the access service', () => {
    const r = cli(['dsd', file, '--json']);
    expect(r.status).toBe(0);
    const dsd = JSON.parse(r.stdout) as {
      dataServiceEvidenceType: {
        evidenceTypeClassification: string;
        distributedAs: { format: string; conformsTo?: string }[];
        accessService: { conformsTo: string[] };
      };
    };
    expect(dsd.dataServiceEvidenceType.evidenceTypeClassification).toBe(EVIDENCE_TYPE);
    expect(dsd.dataServiceEvidenceType.distributedAs).toEqual([
      { format: 'application/pdf' },
      {
        format: 'application/xml',
        conformsTo: 'https://sr.oots.tech.ec.europa.eu/datamodels/lv-residence-certificate-0.1.0',
      },
    ]);
    expect(dsd.dataServiceEvidenceType.accessService.conformsTo).toContain('oots-edm:v1.0');
  });

  test('an invalid upload is refused with the same messages as the CLI; viewers and strangers cannot upload', async () => {
    const bad = v1Text.replace("permission: '22792'", "permision: '22792'");
    const res = await upload(bad, true);
    expect(res.status).toBe(422);
    const body = (await res.json()) as { problems: { line: number; field: string; message: string; hint: string }[] };
    writeFileSync(path.join(work, `${ID}-bad.yaml`), bad);
    const viaCli = cli(['validate', path.join(work, `${ID}-bad.yaml`)]);
    expect(viaCli.status).toBe(1);
    for (const p of body.problems) expect(viaCli.stdout).toContain(`${p.field}: ${p.message}. Fix: ${p.hint}`);
    expect(body.problems[0]).toMatchObject({ field: 'dagr.permision', message: 'permision is not a known field here' });

    expect(
      (
        await api(`/admin/api/mappings?id=${ID}`, {
          method: 'POST',
          as: VIEWER,
          headers: { 'content-type': 'application/yaml' },
          body: v1Text,
        })
      ).status,
    ).toBe(403);
    expect((await fetch(`${served.url}/admin/api/mappings`)).status).toBe(401);
  });

  test('registered v1 is answered without a restart, here and in another process', async () => {
    const res = await upload(v1Text, true);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      ok: true,
      id: ID,
      revision: 1,
      version: '0.1.0+r1',
      created: true,
      active: true,
    });
    expect((await upload(v1Text, true)).status).toBe(200); // the same text again: stored once
    const list = (await (await api('/admin/api/mappings', { as: VIEWER })).json()) as {
      mappings: { id: string; status: string; activeVersion: string }[];
    };
    expect(list.mappings).toEqual([expect.objectContaining({ id: ID, status: 'active', activeVersion: '0.1.0+r1' })]);
    expect(await store.list()).toHaveLength(1);
    await until(() => servedVersion() === '0.1.0+r1', 'live mappings have v1');
    await until(() => childVersion() === '0.1.0+r1', 'the other process has v1');

    const r = await answer(JANIS, live);
    expect(r.summary).toMatchObject({ outcome: 'evidence', mappingId: ID, mappingVersion: '0.1.0+r1' });
  });

  test('the admin API tries a stored version and returns the QueryResponse and the evidence', async () => {
    const res = await api(`/admin/api/mappings/${ID}/try`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ subject: ANNA, format: 'xml' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      mappingVersion: string;
      match: { matched: boolean };
      summary: { outcome: string };
      queryResponse: string;
      evidence: { mimeType: string; base64: string };
    };
    expect(body).toMatchObject({
      mappingVersion: '0.1.0+r1',
      match: { matched: true },
      summary: { outcome: 'evidence' },
    });
    expect(body.queryResponse).toMatch(/QueryResponse/);
    expect(Buffer.from(body.evidence.base64, 'base64').toString('utf8')).toMatch(/<PmlpDeclaredResidence /);
  });

  test('v2 replaces v1; a runtime failure answers EDM:ERR:0008 and raises the alert; rollback restores v1', async () => {
    // v2: a new label, and the apartment made mandatory again (a mistake: Jānis has none).
    const v2 = v1Text
      .replace("version: '0.1.0'", "version: '0.2.0'")
      .replace('{ lv: Dzīvesvieta, en: Residence }', '{ lv: Deklarētā dzīvesvieta, en: Declared residence }')
      .replace(/(from: Address\.Apartment), optional: true \}/g, '$1 }');
    const res = await upload(v2, true);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ revision: 2, version: '0.2.0+r2', created: true, active: true });
    await until(() => servedVersion() === '0.2.0+r2', 'live mappings have v2');
    await until(() => childVersion() === '0.2.0+r2', 'the other process has v2');

    expect((await answer(ANNA, live)).summary).toMatchObject({ outcome: 'evidence', mappingVersion: '0.2.0+r2' });
    const failed = await answer(JANIS, live);
    expect(failed.summary).toMatchObject({
      outcome: 'error',
      edmCode: 'EDM:ERR:0008',
      mappingId: ID,
      mappingVersion: '0.2.0+r2',
    });
    expect(failed.outbound.regrep).toMatch(/EDM:ERR:0008/);
    expect(
      sample(await metrics.metrics(), 'oots_mapping_failures_total', {
        mapping: ID,
        version: '0.2.0+r2',
        code: 'EDM:ERR:0008',
      }),
    ).toBe(1);

    const rolled = await api(`/admin/api/mappings/${ID}/rollback`, { method: 'POST' });
    expect(rolled.status).toBe(200);
    expect(await rolled.json()).toMatchObject({ ok: true, active: 1, version: '0.1.0+r1', changed: true });
    await until(() => servedVersion() === '0.1.0+r1', 'live mappings back on v1');
    await until(() => childVersion() === '0.1.0+r1', 'the other process back on v1');
    expect((await answer(JANIS, live)).summary).toMatchObject({ outcome: 'evidence', mappingVersion: '0.1.0+r1' });

    const history = (await (await api(`/admin/api/mappings/${ID}`, { as: VIEWER })).json()) as {
      history: { action: string; revision: number }[];
    };
    expect(history.history.map((e) => `${e.action}:${String(e.revision)}`)).toEqual([
      'uploaded:1',
      'activated:1',
      'uploaded:2',
      'activated:2',
      'rolled-back:1',
    ]);
  });

  test('deactivate takes it out of service everywhere; activating v2 by number brings it back', async () => {
    expect((await api(`/admin/api/mappings/${ID}/deactivate`, { method: 'POST' })).status).toBe(200);
    await until(() => servedVersion() === undefined, 'live mappings without the mapping');
    await until(() => childVersion() === 'none', 'the other process without the mapping');
    expect((await answer(ANNA, live)).summary).toMatchObject({ outcome: 'error', edmCode: 'EDM:ERR:0006' });

    expect((await api(`/admin/api/mappings/${ID}/versions/9/activate`, { method: 'POST' })).status).toBe(404);
    const act = await api(`/admin/api/mappings/${ID}/versions/2/activate`, { method: 'POST' });
    expect(await act.json()).toMatchObject({ ok: true, active: 2, version: '0.2.0+r2' });
    await until(() => servedVersion() === '0.2.0+r2', 'live mappings on v2 again');
  });

  test('the active version survives a restart; files meet the store as documented', async () => {
    const again = createLiveMappings(redis, { store, checkIntervalMs: 0 });
    await again.ready;
    expect(again.registry.find(EVIDENCE_TYPE, undefined)).toMatchObject({ ok: true, mapping: { version: '0.2.0+r2' } });
    await again.close();

    // The mappings folder holds v1's text: already stored → nothing changes (v2 stays active).
    const dir = path.join(work, 'deploy');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    writeFileSync(path.join(dir, `${ID}.yaml`), v1Text);
    expect(await importMappingFiles(store, dir)).toEqual([
      expect.objectContaining({ id: ID, revision: 1, created: false, active: false }),
    ]);
    // An edited file is imported as a new revision, but not activated while another one is active.
    writeFileSync(path.join(dir, `${ID}.yaml`), v1Text.replace("version: '0.1.0'", "version: '0.3.0'"));
    expect(await importMappingFiles(store, dir)).toEqual([
      expect.objectContaining({ revision: 3, version: '0.3.0+r3', created: true, active: false }),
    ]);
    expect((await store.get(ID))?.activeVersion).toBe('0.2.0+r2');
  });
});
