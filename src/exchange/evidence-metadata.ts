/**
 * The EDM metadata of a main evidence (pure): what a real evidence (./evidences.ts) and the
 * system check's test evidence (./system-check.ts) share. The callers decide the texts, the
 * languages, the subject it is about and the validity; the identifiers are drawn here, in the
 * order the builder has always drawn them (registry object, evidence, classification).
 */
import type { EvidenceInput } from '../edm/build/index.js';
import type { LocalizedText } from '../edm/model.js';
import type { Bilingual, Distribution, EvidenceMapping } from '../mapping/model.js';

export interface MainEvidenceParts {
  readonly mapping: EvidenceMapping;
  readonly distribution: Distribution;
  readonly evidenceType: string;
  readonly isAbout: EvidenceInput['isAbout'];
  readonly title: Bilingual;
  /** The v1.0 Schematron's R-EDM-RESP-S030 test asks for a Description. */
  readonly description: Bilingual;
  /** Upper-case language codes of the distribution (`LV`, `EN`). */
  readonly languages: readonly string[];
  readonly issuingDate: string;
  readonly validityPeriod?: EvidenceInput['validityPeriod'];
  /** The `cid:` of the attachment. */
  readonly href: string;
}

export function mainEvidenceMetadata(p: MainEvidenceParts, uuid: () => string): EvidenceInput {
  const { mapping, distribution } = p;
  return {
    registryObjectId: `urn:uuid:${uuid()}`,
    evidenceId: uuid(),
    isAbout: p.isAbout,
    issuingAuthority: {
      identifier: { value: mapping.issuingAuthority.id, schemeID: mapping.issuingAuthority.scheme },
      names: bilingual(mapping.issuingAuthority.name),
      address: undefined,
      classification: undefined,
    },
    isConformantTo: {
      evidenceTypeClassification: p.evidenceType,
      titles: bilingual(p.title),
      descriptions: bilingual(p.description),
    },
    issuingDate: p.issuingDate,
    distribution:
      distribution.format === 'application/xml'
        ? {
            format: distribution.format,
            languages: [...p.languages],
            conformsTo: distribution.conformsTo,
            ...(distribution.transformation === undefined ? {} : { transformation: distribution.transformation }),
          }
        : { format: distribution.format, languages: [...p.languages] },
    ...(p.validityPeriod === undefined ? {} : { validityPeriod: p.validityPeriod }),
    repositoryItem: { href: p.href, title: p.title.en },
    role: 'MainEvidence',
    classificationId: `urn:uuid:${uuid()}`,
  };
}

export function bilingual(text: Bilingual): LocalizedText[] {
  return [
    { lang: 'LV', value: text.lv },
    { lang: 'EN', value: text.en },
  ];
}
