/**
 * The system check: a request under procedure `00` (the production test procedure of the
 * Procedures code list, TDD 1.1.2+) is answered with a test evidence built from an invented
 * record, so an operator can run an end-to-end test with a real access point without touching a
 * real person's data (issue 20).
 *
 * - No DAGR call and no identity matching: the record is synthesised from the mapping's own field
 *   paths (`systemCheckRecord`), whatever subject the request names. Every text value reads
 *   `TEST <field>`, a date `1900-01-01`. Nothing comes from DAGR, and nothing from the request but
 *   the destination country code of the test identifier. Synthesised rather than written into the
 *   mapping file as a test record: it works for every mapping, shipped or uploaded, with nothing
 *   to keep up to date, and no mapping file holds data that could be (or be copied from) a real
 *   record.
 * - The evidence says it is a test: the document (PDF banner, title, footer and metadata; an XML
 *   comment, see src/render) and the EDM metadata (IsAbout is an invented subject; titles and
 *   descriptions start `TESTS:` in Latvian, `TEST:` in English; the repository item's title too).
 * - Off (`SYSTEM_CHECK=off`): EDM:ERR:0007, "optional feature or capability is not supported". The
 *   request is valid (not 0003), the evidence type is served (not 0006), and answering it like any
 *   other request would read a real record, which is what procedure 00 must never do.
 * - No preview: a system check is answered directly even when the request allows a preview
 *   (PossibilityForPreview=true). A preview protects a person's own data before it is shared, and
 *   there is none here; a preview would also need a real person to log in.
 * - The summary of every answer to a procedure-00 request carries `systemCheck: true`, so metrics
 *   and the audit trail keep test traffic apart from production figures (src/ops).
 */
import type { LegalPerson, NaturalPerson, QueryRequest, Subject } from '../edm/model.js';
import type { UserMessage } from '../ebms/model.js';
import type { Bilingual, Distribution, EvidenceMapping } from '../mapping/model.js';
import type { DagrRecord } from '../mapping/record-path.js';
import type { EvidenceDeps } from './evidence.js';
import { mainEvidenceMetadata } from './evidence-metadata.js';
import type { PreparedEvidence } from './ports.js';
import { Refusal } from './refusal.js';
import { success, summary, type ExchangeResult, type ReplyDeps } from './reply.js';

/** The procedure code of production tests (Procedures code list, TDD 1.1.2). */
export const SYSTEM_CHECK_PROCEDURE = '00';

/** Invented values of the test record and the test subject. */
export const TEST_DATE = '1900-01-01';
const TEST_DATE_TIME = '1900-01-01T00:00:00Z';
const TEST_NAME = { family: 'TESTS', given: 'TEST', legal: 'TEST ORGANISATION (SYSTEM CHECK)' };
/** National part of the test subject's identifier (the R-EDM-RESP-C028 shape needs 9 characters). */
const TEST_NATIONAL_ID = 'TEST00000';

/** What the system check needs (part of ExchangeDeps). */
export interface SystemCheckDeps extends EvidenceDeps, ReplyDeps {
  /** Answer procedure-00 requests with a test evidence (default true); false refuses them with EDM:ERR:0007. */
  readonly systemCheck?: boolean;
}

/** True when the request runs under procedure `00`, whatever its version writes it as. */
export function isSystemCheck(request: Pick<QueryRequest, 'procedure'> | undefined): boolean {
  return request?.procedure?.value === SYSTEM_CHECK_PROCEDURE;
}

/** The answer to a procedure-00 request: the test evidence, or EDM:ERR:0007 when the check is off. */
export async function answerSystemCheck(
  um: UserMessage,
  request: QueryRequest,
  mapping: EvidenceMapping,
  distribution: Distribution,
  deps: SystemCheckDeps,
): Promise<ExchangeResult> {
  if (deps.systemCheck === false)
    throw new Refusal(
      'EDM:ERR:0007',
      'the system check (procedure 00) is switched off at this evidence provider; no test evidence is given and no real record is read for it',
    );
  const evidence = await produceSystemCheckEvidence(request, mapping, distribution, deps);
  return success(
    um,
    request,
    [evidence.metadata],
    [evidence.attachment],
    deps,
    summary('evidence', undefined, request, mapping, 'system check (procedure 00): test evidence'),
  );
}

/** The test evidence of `mapping` in `distribution`: invented record, invented subject, marked as a test. */
export async function produceSystemCheckEvidence(
  request: QueryRequest,
  mapping: EvidenceMapping,
  distribution: Distribution,
  deps: EvidenceDeps,
): Promise<PreparedEvidence> {
  const now = deps.now();
  const issuingDate = now.toISOString().slice(0, 10);
  const record = systemCheckRecord(mapping, now.toISOString());
  const subject = testSubject(mapping.subject, destinationCountry(request.subject));
  const label = subject.kind === 'LegalPerson' ? TEST_NAME.legal : `${TEST_NAME.given} ${TEST_NAME.family}`;
  const subjectLabel = { name: label, identifier: testIdentifier(subject) };
  const bytes = await deps.renderer.render({
    mapping,
    distribution,
    record,
    issuingDate,
    subjectLabel,
    languages: ['lv', 'en'],
    renderedAt: now.toISOString(),
    testDocument: true,
  });
  const cid = `cid:${deps.uuid().replace(/-/g, '')}@${deps.messageDomain}`;
  const title = testText(mapping.title);
  const description = testText(mapping.description ?? mapping.title);
  // A test evidence is valid for nothing: no ValidityPeriod.
  const metadata = mainEvidenceMetadata(
    {
      mapping,
      distribution,
      evidenceType: request.evidenceRequest!.evidenceTypeClassification!,
      isAbout: subject,
      title,
      description: {
        lv: `${description.lv} Testa dokuments ar izdomātiem datiem, nav īsts apliecinājums.`,
        en: `${description.en} Test document with invented data, not a real evidence.`,
      },
      languages: distribution.format === 'application/xml' ? ['LV'] : ['LV', 'EN'],
      issuingDate,
      href: cid,
    },
    deps.uuid,
  );
  const fields = deps.renderer.previewFields({
    mapping,
    record,
    issuingDate,
    subjectLabel,
    languages: ['lv', 'en'],
  });
  return { metadata, attachment: { href: cid, mimeType: distribution.format, bytes }, title, fields };
}

/**
 * The invented record of a mapping: every record path the mapping reads (fields of every
 * distribution, the match fields, the update time) gets a value that cannot be mistaken for
 * real data. A path whose last step names a date (`DateOfBirth`, `IssuedOn`, `ValidUntil`) gets
 * `1900-01-01`, one naming a time (`UpdatedAt`, `...Time`) `1900-01-01T00:00:00Z`, any other
 * `TEST <last step>`. Numeric steps make arrays (`Persons.0.Name`). Context values (`$issuingDate`)
 * are the renderer's own and are not invented here.
 */
export function systemCheckRecord(mapping: EvidenceMapping, fetchedAt: string): DagrRecord {
  const paths = new Set<string>();
  for (const d of mapping.distributions) {
    const refs = d.format === 'application/xml' ? d.xml.fields : d.pdf.sections.flatMap((s) => s.fields);
    for (const f of refs) paths.add(f.from);
  }
  for (const m of mapping.dagr.match) paths.add(m.field);
  if (mapping.dagr.updatedAtField !== undefined) paths.add(mapping.dagr.updatedAtField);
  const fields: Record<string, unknown> = {};
  // Deeper paths first: a shorter path that is a prefix of another finds its container already there.
  const ordered = [...paths].filter((p) => !p.startsWith('$') && p.trim() !== '');
  ordered.sort((a, b) => b.split('.').length - a.split('.').length);
  for (const path of ordered) place(fields, path.split('.'), inventedValue(path));
  return { fields, fetchedAt };
}

function inventedValue(path: string): string {
  const last =
    path
      .split('.')
      .filter((s) => !/^\d+$/.test(s))
      .pop() ?? path;
  if (/(At|Time|Timestamp)$/.test(last)) return TEST_DATE_TIME;
  if (/(Date|Day|On|Until|From|Since)$/.test(last) || /^date|Date/.test(last)) return TEST_DATE;
  return `TEST ${last}`;
}

function place(into: Record<string, unknown> | unknown[], steps: readonly string[], value: string): void {
  const [step, ...rest] = steps;
  if (step === undefined) return;
  const key: string | number = Array.isArray(into) && /^\d+$/.test(step) ? Number(step) : step;
  const slot = into as Record<string | number, unknown>;
  if (rest.length === 0) {
    if (slot[key] === undefined) slot[key] = value;
    return;
  }
  const existing = slot[key];
  const wantsArray = /^\d+$/.test(rest[0]!);
  const container =
    existing !== null && typeof existing === 'object' && Array.isArray(existing) === wantsArray
      ? (existing as Record<string, unknown> | unknown[])
      : wantsArray
        ? []
        : {};
  slot[key] = container;
  place(container, rest, value);
}

/** The invented subject of a test evidence, of the mapping's kind. */
function testSubject(kind: EvidenceMapping['subject'], country: string): Subject {
  const identifier = { value: `LV/${country}/${TEST_NATIONAL_ID}`, schemeID: 'eidas' };
  if (kind === 'LegalPerson') {
    const legal: LegalPerson = {
      kind: 'LegalPerson',
      levelOfAssurance: undefined,
      legalPersonIdentifier: identifier,
      identifiers: [],
      legalName: TEST_NAME.legal,
      registeredAddress: undefined,
      sectorSpecificAttributes: [],
    };
    return legal;
  }
  const person: NaturalPerson = {
    kind: 'NaturalPerson',
    levelOfAssurance: undefined,
    identifier,
    familyName: TEST_NAME.family,
    givenName: TEST_NAME.given,
    dateOfBirth: TEST_DATE,
    birthName: undefined,
    placeOfBirth: undefined,
    currentAddress: undefined,
    gender: undefined,
    nationality: undefined,
    countryOfBirth: undefined,
    townOfBirth: undefined,
    countryOfResidence: undefined,
    phoneNumber: undefined,
    emailAddress: undefined,
    sectorSpecificAttributes: [],
  };
  return person;
}

function testIdentifier(s: Subject): string | undefined {
  return s.kind === 'LegalPerson' ? s.legalPersonIdentifier?.value : s.identifier?.value;
}

/**
 * The destination country of the test identifier (`LV/<YY>/…`): the `YY` of the requested
 * identifier when it has that shape (a country code, not personal data), else `LV`.
 */
function destinationCountry(subject: Subject | undefined): string {
  const id = subject === undefined ? undefined : testIdentifier(subject);
  const yy = id?.split('/')[1];
  return yy !== undefined && /^[A-Z]{2}$/.test(yy) ? yy : 'LV';
}

function testText(text: Bilingual): Bilingual {
  return { lv: `TESTS: ${text.lv}`, en: `TEST: ${text.en}` };
}
