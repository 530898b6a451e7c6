/**
 * Several evidences with their associated documents through a preview (EDM v2.0), on a real
 * Redis: request #1 for the diplomas of Kristaps Liepiņš (two, each with its human-readable
 * version) opens one preview with two evidences; the user approves the first and declines the
 * second; request #2 gets the first main evidence with its own PDF, nothing of the second, and
 * the answer passes our response rules.
 */
import { Redis } from 'ioredis';
import { answerRequest } from '../../src/exchange/answer.js';
import { validateMessage } from '../../src/edm/validate.js';
import { generateKey } from '../../src/infra/aead.js';
import { produceEvidenceAtLogin } from '../../src/exchange/evidence-at-login.js';
import { createPreviewPort, previewEvidenceOf, type SessionRecipe } from '../../src/preview/exchange-port.js';
import { createPreviewStore } from '../../src/preview/session-store.js';
import { deleteKeys, REDIS_URL, testPrefix } from '../support/connector-fixtures.js';
import { exampleRequest, inbound, testDeps, userMessage } from '../support/exchange-fixtures.js';

const redis = new Redis(REDIS_URL);
const prefix = testPrefix('preview-assoc');
const base = 'https://preview.example.lv';
const store = createPreviewStore(redis, {
  prefix,
  key: generateKey(),
  publicBaseUrl: base,
  t2Seconds: 900,
  t3Seconds: 2400,
});
const preview = createPreviewPort({ store, ttlSeconds: 600, publicBaseUrl: () => base });

afterAll(async () => {
  await deleteKeys(redis, prefix);
  await redis.quit();
});

const first = exampleRequest('lv-higher-education-diplomas-v2.0').replace(
  /(PossibilityForPreview">\s*<rim:SlotValue[^>]*>\s*<rim:Value>)false/,
  '$1true',
);

function second(location: string): string {
  // v2.0 request #2 names the PreviewLocation and where the browser returns (R-EDM-REQ-S061).
  const slot =
    `<rim:Slot name="PreviewLocation"><rim:SlotValue xsi:type="rim:StringValueType"><rim:Value>${location}</rim:Value></rim:SlotValue></rim:Slot>` +
    '<rim:Slot name="ReturnLocation"><rim:SlotValue xsi:type="rim:StringValueType"><rim:Value>https://portal.example/return</rim:Value></rim:SlotValue></rim:Slot>';
  return first
    .replace('urn:uuid:5e2a9b07-1f3c-4d8e-a6b4-0c9d2e7f1a83', 'urn:uuid:5e2a9b07-1f3c-4d8e-a6b4-0c9d2e7f1a84')
    .replace('<rim:Slot name="PossibilityForPreview">', `${slot}<rim:Slot name="PossibilityForPreview">`);
}

test('each main evidence is approved or declined with its associated documents', async () => {
  const deps = testDeps({ preview });
  const one = await answerRequest(inbound(first, userMessage({}, true)), deps);
  expect(one.summary).toMatchObject({ outcome: 'preview-required', edmCode: 'EDM:ERR:0002' });
  const location = /<rim:Slot name="PreviewLocation">\s*<rim:SlotValue[^>]*>\s*<rim:Value>([^<]+)</.exec(
    one.outbound.regrep,
  )![1]!;
  const sid = (await store.findByLocation(location))!;
  // Nothing is read before the login: the session keeps how to produce the evidence.
  expect((await store.get(sid))!.content!.evidences).toEqual([]);
  expect(await store.markOpened(sid)).toBe('opened');
  const stored = (await store.get(sid))!.content!.recipe as SessionRecipe;
  const produced = await produceEvidenceAtLogin(
    {
      request: stored.request,
      recipe: stored.recipe,
      exchangeRef: 'ref-1',
      identity: { identifier: 'LV/DE/140685-10355' },
    },
    { ...deps, mappingAt: (id) => Promise.resolve(deps.registry.mappings.find((m) => m.id === id)) },
  );
  if (produced.kind !== 'found') throw new Error(`no evidence at the login: ${produced.kind}`);
  expect((await store.fillEvidences(sid, produced.evidences.map(previewEvidenceOf))).status).toBe('filled');
  const session = await store.get(sid);
  // The preview lists the two diplomas: the PDFs associated with them are not evidences of their own.
  const ids = session!.content!.evidences.map((e) => e.id);
  expect(ids).toHaveLength(2);
  expect(session!.content!.evidences.map((e) => e.mimeType)).toEqual(['application/xml', 'application/xml']);
  expect((await store.decide(sid, { approved: [ids[0]!], declined: [ids[1]!] })).ok).toBe(true);

  const two = await answerRequest(inbound(second(location), userMessage({ messageId: 'msg-2@ap.de.example' }, true)), {
    ...deps,
  });
  expect([two.summary.outcome, two.summary.detail]).toEqual(['evidence', undefined]);
  const { regrep, attachments } = two.outbound;
  expect(validateMessage(regrep).errors).toEqual([]);
  expect(attachments.map((a) => a.mimeType)).toEqual(['application/xml', 'application/pdf']);
  expect(Buffer.from(attachments[0]!.bytes).toString('utf8')).toContain('B 0047211');
  expect(Buffer.from(attachments[1]!.bytes).subarray(0, 5).toString()).toBe('%PDF-');
  expect(regrep).toContain(`id="${ids[0]}"`);
  expect(regrep).not.toContain(`id="${ids[1]}"`);
  expect(regrep).toContain('classificationNode="HumanReadableVersion"');
  expect(regrep.match(/xsi:type="rim:AssociationType"/g)).toHaveLength(1);
  for (const a of attachments) expect(regrep).toContain(`xlink:href="${a.href}"`);
});
