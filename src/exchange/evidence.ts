/**
 * Step 2 of the exchange: from the request to the evidence. The mapping for the requested type and
 * format, the DAGR lookup, the identity match, and the rendered document with its metadata and the
 * readable fields a preview shows (both through the renderer's port).
 */
import type { EvidenceInput, PreviewInput } from '../edm/build/index.js';
import type { QueryRequest, Subject } from '../edm/model.js';
import { minimumDataSet } from '../edm/subject.js';
import type { MappingRegistry } from '../mapping/registry.js';
import type { Distribution, EvidenceMapping } from '../mapping/model.js';
import type { RenderPort } from '../render/port.js';
import { findRecords, type NoRecord } from './find-record.js';
import type { DagrPort, PreparedEvidence } from './ports.js';
import { Refusal } from './refusal.js';
import type { ReplyDeps } from './reply.js';

/** What producing an evidence needs (part of ExchangeDeps). */
export interface EvidenceDeps extends Pick<ReplyDeps, 'messageDomain' | 'uuid' | 'now'> {
  readonly registry: MappingRegistry;
  readonly dagr: DagrPort;
  readonly renderer: RenderPort;
}

export function findMapping(
  request: QueryRequest,
  deps: EvidenceDeps,
): { mapping: EvidenceMapping; distribution: Distribution } {
  const type = request.evidenceRequest?.evidenceTypeClassification;
  if (type === undefined)
    throw new Refusal('EDM:ERR:0003', 'R-EDM-REQ-S044: the request names no EvidenceTypeClassification');
  const formats = request.evidenceRequest?.distributedAs.map((d) => d.format) ?? [];
  const found = deps.registry.find(type, formats[0]);
  if (!found.ok) {
    throw found.reason === 'unsupported-format'
      ? new Refusal('EDM:ERR:0007', found.detail)
      : new Refusal('EDM:ERR:0006', `evidence type ${type} is not provided by this evidence provider`);
  }
  const subjectKind = request.subject?.kind;
  if (subjectKind !== found.mapping.subject) {
    throw new Refusal(
      'EDM:ERR:0003',
      `evidence type ${type} is about a ${found.mapping.subject}; the request names ${subjectKind ?? 'no subject'}`,
    );
  }
  return { mapping: found.mapping, distribution: found.distribution };
}

export async function produceEvidence(
  request: QueryRequest,
  mapping: EvidenceMapping,
  distribution: Distribution,
  exchangeRef: string,
  deps: EvidenceDeps,
): Promise<PreparedEvidence | NoRecord> {
  const subject = request.subject!;
  // By identifier, or by attributes for a foreign national; every record passed the identity match.
  const found = await findRecords(subject, mapping, exchangeRef, deps.dagr);
  if (found.kind === 'none') return found;
  // One evidence per request still: the first record found.
  const record = found.records[0];

  const now = deps.now();
  const issuingDate = now.toISOString().slice(0, 10);
  const bytes = await deps.renderer.render({
    mapping,
    distribution,
    record,
    issuingDate,
    subjectLabel: subjectLabel(subject),
    languages: ['lv', 'en'],
    renderedAt: now.toISOString(),
  });
  const cid = `cid:${deps.uuid().replace(/-/g, '')}@${deps.messageDomain}`;
  const type = request.evidenceRequest!;
  const validity =
    mapping.validityDays === undefined
      ? undefined
      : {
          startDate: issuingDate,
          endDate: new Date(now.getTime() + mapping.validityDays * 86_400_000).toISOString().slice(0, 10),
        };
  const metadata: EvidenceInput = {
    registryObjectId: `urn:uuid:${deps.uuid()}`,
    evidenceId: deps.uuid(),
    isAbout: minimumDataSet(subject),
    issuingAuthority: {
      identifier: { value: mapping.issuingAuthority.id, schemeID: mapping.issuingAuthority.scheme },
      names: [
        { lang: 'LV', value: mapping.issuingAuthority.name.lv },
        { lang: 'EN', value: mapping.issuingAuthority.name.en },
      ],
      address: undefined,
      classification: undefined,
    },
    isConformantTo: {
      evidenceTypeClassification: type.evidenceTypeClassification!,
      titles: [
        { lang: 'LV', value: mapping.title.lv },
        { lang: 'EN', value: mapping.title.en },
      ],
      // The v1.0 Schematron's R-EDM-RESP-S030 test asks for a Description: the title stands in.
      descriptions: [
        { lang: 'LV', value: (mapping.description ?? mapping.title).lv },
        { lang: 'EN', value: (mapping.description ?? mapping.title).en },
      ],
    },
    issuingDate,
    distribution:
      distribution.format === 'application/xml'
        ? {
            format: distribution.format,
            languages: ['LV'],
            conformsTo: distribution.conformsTo,
            ...(distribution.transformation === undefined ? {} : { transformation: distribution.transformation }),
          }
        : { format: distribution.format, languages: ['LV', 'EN'] },
    ...(validity === undefined ? {} : { validityPeriod: validity }),
    repositoryItem: { href: cid, title: mapping.title.en },
    role: 'MainEvidence',
    classificationId: `urn:uuid:${deps.uuid()}`,
  };
  const fields = deps.renderer.previewFields({
    mapping,
    record,
    issuingDate,
    subjectLabel: subjectLabel(subject),
    languages: ['lv', 'en'],
  });
  return { metadata, attachment: { href: cid, mimeType: distribution.format, bytes }, title: mapping.title, fields };
}

/** What the requester shows the user next to the link: in the request's language when we have it, and English. */
export function previewDescription(request: QueryRequest, mapping: EvidenceMapping): PreviewInput['description'] {
  const text = mapping.preview?.description ?? {
    lv: `Lūdzu, apskatiet un apstipriniet dokumentu „${mapping.title.lv}”, pirms tas tiek nosūtīts.`,
    en: `Please review and approve the ${mapping.title.en} before it is sent.`,
  };
  const lang = request.lang?.toUpperCase();
  return lang === 'LV'
    ? [
        { lang: 'LV', value: text.lv },
        { lang: 'EN', value: text.en },
      ]
    : [{ lang: 'EN', value: text.en }];
}

function subjectLabel(s: Subject): { name: string; identifier: string | undefined } {
  if (s.kind === 'LegalPerson') return { name: s.legalName ?? '', identifier: s.legalPersonIdentifier?.value };
  return {
    name: [s.givenName, s.familyName].filter((x) => x !== undefined).join(' '),
    identifier: s.identifier?.value,
  };
}
