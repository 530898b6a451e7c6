/**
 * Step 2 of the exchange: from the request to the evidence. The mapping for the requested type and
 * format (here); the DAGR lookup, the identity match and the rendered documents with their
 * metadata, one evidence per record (./evidences.ts, with ./records.ts and ./associated.ts).
 */
import type { PreviewInput } from '../edm/build/index.js';
import type { QueryRequest } from '../edm/model.js';
import type { Distribution, EvidenceMapping } from '../mapping/model.js';
import type { EvidenceDeps } from './evidences.js';
import { Refusal } from './refusal.js';

export { associatedPlan, produceEvidence, type EvidenceDeps } from './evidences.js';

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
