/**
 * The evidences of one request: the DAGR lookup, the records that become evidences
 * (./records.ts), and for each one the rendered document with its metadata, the readable fields
 * a preview shows, and (EDM v2.0) its associated documents (./associated.ts). Each record is an
 * evidence of its own: its own identifiers, attachment and metadata.
 */
import type { AssociatedInput, EvidenceInput } from '../edm/build/index.js';
import { generationOf, type QueryRequest, type Subject } from '../edm/model.js';
import { minimumDataSet } from '../edm/subject.js';
import type { MappingRegistry } from '../mapping/registry.js';
import type { Distribution, EvidenceMapping, PdfDistribution, RenderLanguage } from '../mapping/model.js';
import type { DagrRecord } from '../mapping/record-path.js';
import type { RenderPort } from '../render/port.js';
import { evidenceLanguages, planAssociated, renderingLanguages, type AssociatedPlan } from './associated.js';
import type { Attachment, DagrPort, PreparedEvidence } from './ports.js';
import { findRecords, type NoRecord } from './find-record.js';
import { selectRecords } from './records.js';
import { mainEvidenceMetadata } from './evidence-metadata.js';
import type { ReplyDeps } from './reply.js';

/** What producing evidences needs (part of ExchangeDeps). */
export interface EvidenceDeps extends Pick<ReplyDeps, 'messageDomain' | 'uuid' | 'now'> {
  readonly registry: MappingRegistry;
  readonly dagr: DagrPort;
  readonly renderer: RenderPort;
}

/** The evidences of one request (at least one), or why there is none (for the audit trail only). */
export type ProducedEvidence = { readonly kind: 'found'; readonly evidences: readonly PreparedEvidence[] } | NoRecord;

/** What every evidence of one request shares. */
interface Context {
  readonly request: QueryRequest;
  readonly subject: Subject;
  readonly mapping: EvidenceMapping;
  readonly distribution: Distribution;
  readonly now: Date;
  readonly issuingDate: string;
  readonly languages: readonly RenderLanguage[];
  readonly plan: readonly AssociatedPlan[];
}

/**
 * The evidences DAGR holds for the request's subject under `mapping`, in the mapping's order;
 * none (with the reason) when the subject has no lookup key, no record, several people, or no
 * record that matches (./find-record.ts). DAGR failures
 * reject (DagrError), as do rendering failures (RenderError).
 */
export async function produceEvidence(
  request: QueryRequest,
  mapping: EvidenceMapping,
  distribution: Distribution,
  exchangeRef: string,
  deps: EvidenceDeps,
): Promise<ProducedEvidence> {
  const subject = request.subject!;
  // By identifier, or by attributes for a foreign national; every record passed the identity match.
  const found = await findRecords(subject, mapping, exchangeRef, deps.dagr);
  if (found.kind === 'none') return found;
  const records = selectRecords(subject, found.records, mapping);
  if (records.length === 0) return { kind: 'none', reason: 'mismatch' };
  const now = deps.now();
  const languages = renderingLanguages(requestedLanguages(request), mapping);
  const context: Context = {
    request,
    subject,
    mapping,
    distribution,
    now,
    issuingDate: now.toISOString().slice(0, 10),
    languages,
    plan: associatedPlan(request, mapping, distribution, languages).plan,
  };
  const out: PreparedEvidence[] = [];
  // One after the other: the identifiers are drawn in the order of the records.
  for (const record of records) out.push(await prepare(record, context, deps));
  return { kind: 'found', evidences: out };
}

/** The associated documents a request asks (v2.0 only; v1.x has none) and the asked ones not offered. */
export function associatedPlan(
  request: QueryRequest,
  mapping: EvidenceMapping,
  distribution: Distribution,
  languages: readonly RenderLanguage[] = renderingLanguages(requestedLanguages(request), mapping),
): ReturnType<typeof planAssociated> {
  if (generationOf(request.version) !== 'v2') return { plan: [], notOffered: [] };
  return planAssociated(request.evidenceRequest?.associatedDocumentRequests ?? [], mapping, distribution, languages);
}

/** The `Language`s of the requested distribution (v2.0; the one whose format the mapping serves). */
function requestedLanguages(request: QueryRequest): string[] {
  if (generationOf(request.version) !== 'v2') return [];
  return [...(request.evidenceRequest?.distributedAs[0]?.languages ?? [])];
}

async function prepare(record: DagrRecord, c: Context, deps: EvidenceDeps): Promise<PreparedEvidence> {
  const { mapping, distribution } = c;
  const label = subjectLabel(c.subject);
  const bytes = await deps.renderer.render({
    mapping,
    distribution,
    record,
    issuingDate: c.issuingDate,
    subjectLabel: label,
    languages: c.languages,
    renderedAt: c.now.toISOString(),
  });
  const attachment = { href: contentId(deps), mimeType: distribution.format, bytes };
  const metadata = mainMetadata(c, attachment.href, deps);
  const associated: { input: AssociatedInput; attachment: Attachment }[] = [];
  for (const item of c.plan) associated.push(await associatedDocument(record, item, c, deps));
  const fields = deps.renderer.previewFields({
    mapping,
    record,
    issuingDate: c.issuingDate,
    subjectLabel: label,
    languages: c.languages,
  });
  return {
    metadata: associated.length === 0 ? metadata : { ...metadata, associated: associated.map((a) => a.input) },
    attachment,
    ...(associated.length === 0 ? {} : { associated: associated.map((a) => a.attachment) }),
    title: mapping.title,
    fields,
  };
}

const ROLE_TITLE = { HumanReadableVersion: 'human-readable version', Translation: 'translation' } as const;

async function associatedDocument(
  record: DagrRecord,
  item: AssociatedPlan,
  c: Context,
  deps: EvidenceDeps,
): Promise<{ input: AssociatedInput; attachment: Attachment }> {
  // planAssociated offers nothing without a PDF layout; the mapping check says so at load.
  const pdf = c.mapping.distributions.find((d): d is PdfDistribution => d.format === 'application/pdf')!;
  const bytes = await deps.renderer.render({
    mapping: c.mapping,
    distribution: pdf,
    record,
    issuingDate: c.issuingDate,
    subjectLabel: subjectLabel(c.subject),
    languages: item.languages,
    renderedAt: c.now.toISOString(),
  });
  const href = contentId(deps);
  const languages = item.languages.map((l) => l.toUpperCase());
  return {
    input: {
      registryObjectId: `urn:uuid:${deps.uuid()}`,
      evidenceId: deps.uuid(),
      role: item.role,
      classificationId: `urn:uuid:${deps.uuid()}`,
      distribution: { format: pdf.format, languages },
      repositoryItem: { href, title: `${c.mapping.title.en} (${ROLE_TITLE[item.role]}, ${languages.join(' ')})` },
      associationId: `urn:uuid:${deps.uuid()}`,
    },
    attachment: { href, mimeType: pdf.format, bytes },
  };
}

function contentId(deps: EvidenceDeps): string {
  return `cid:${deps.uuid().replace(/-/g, '')}@${deps.messageDomain}`;
}

function mainMetadata(c: Context, href: string, deps: EvidenceDeps): EvidenceInput {
  const { mapping, distribution } = c;
  const validityPeriod =
    mapping.validityDays === undefined
      ? undefined
      : {
          startDate: c.issuingDate,
          endDate: new Date(c.now.getTime() + mapping.validityDays * 86_400_000).toISOString().slice(0, 10),
        };
  return mainEvidenceMetadata(
    {
      mapping,
      distribution,
      evidenceType: c.request.evidenceRequest!.evidenceTypeClassification!,
      isAbout: minimumDataSet(c.subject),
      title: mapping.title,
      // The title stands in for a missing description.
      description: mapping.description ?? mapping.title,
      languages: evidenceLanguages(distribution, c.languages, mapping).map((l) => l.toUpperCase()),
      issuingDate: c.issuingDate,
      ...(validityPeriod === undefined ? {} : { validityPeriod }),
      href,
    },
    deps.uuid,
  );
}

export function subjectLabel(s: Subject): { name: string; identifier: string | undefined } {
  if (s.kind === 'LegalPerson') return { name: s.legalName ?? '', identifier: s.legalPersonIdentifier?.value };
  return {
    name: [s.givenName, s.familyName].filter((x) => x !== undefined).join(' '),
    identifier: s.identifier?.value,
  };
}
