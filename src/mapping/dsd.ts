/**
 * What to register in the OOTS Data Service Directory for one mapping
 * (`oots-adapter mappings dsd FILE`): the DataServiceEvidenceType with its classification, title,
 * distributions (format, ConformsTo, Transformation) and the access service through which
 * requesters reach this adapter (eDelivery party, the EDM versions it answers, the publisher).
 * The DSD itself is filled in by the national DSD administrator; this is the data they need.
 */
import type { LevelOfAssurance } from '../edm/loa.js';
import { requiredLevel } from './assurance.js';
import type { EvidenceMapping } from './model.js';

export interface AccessServiceInfo {
  /** eDelivery party id of the adapter's access point (request `To/PartyId`). */
  readonly partyId: string;
  /** Party id type (`urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots`). */
  readonly partyIdType: string;
  /** EDM versions answered: the DSD AccessService ConformsTo (`oots-edm:v1.0`, ...). */
  readonly conformsTo: readonly string[];
  /** Country of the jurisdiction (`LV`). */
  readonly country: string;
}

export interface DsdRegistration {
  readonly mappingId: string;
  readonly mappingVersion: string;
  readonly dataServiceEvidenceType: {
    /** Assigned when the evidence type is registered in the DSD (a UUID); requests echo it. */
    readonly identifier: string;
    readonly evidenceTypeClassification: string;
    /** Every classification this mapping serves (the first is the main one). */
    readonly evidenceTypeClassifications: readonly string[];
    readonly title: readonly { readonly lang: 'LV' | 'EN'; readonly value: string }[];
    readonly description: readonly { readonly lang: 'LV' | 'EN'; readonly value: string }[];
    readonly distributedAs: readonly {
      readonly format: string;
      readonly conformsTo?: string;
      readonly transformation?: string;
    }[];
    /** `sdg:AuthenticationLevelOfAssurance`: the mapping's `levelOfAssurance` (default Substantial). */
    readonly authenticationLevelOfAssurance: LevelOfAssurance;
    readonly accessService: {
      readonly identifier: { readonly value: string; readonly schemeID: string };
      readonly conformsTo: readonly string[];
      readonly publisher: {
        readonly identifier: { readonly value: string; readonly schemeID: string };
        readonly name: readonly { readonly lang: 'LV' | 'EN'; readonly value: string }[];
        readonly address: { readonly adminUnitLevel1: string };
        readonly classification: 'EP';
      };
    };
  };
  readonly jurisdiction: { readonly adminUnitLevel1: string };
  /** Who the evidence is about: NaturalPerson or LegalPerson (the DSD requirement's subject). */
  readonly subject: EvidenceMapping['subject'];
  /** Whether the adapter offers a preview for this evidence (it does when the mapping describes one). */
  readonly preview: boolean;
}

export function dsdRegistration(m: EvidenceMapping, access: AccessServiceInfo, identifier: string): DsdRegistration {
  const both = (b: { lv: string; en: string }) => [
    { lang: 'EN' as const, value: b.en },
    { lang: 'LV' as const, value: b.lv },
  ];
  return {
    mappingId: m.id,
    mappingVersion: m.version,
    dataServiceEvidenceType: {
      identifier,
      evidenceTypeClassification: m.evidenceTypes[0]!,
      evidenceTypeClassifications: m.evidenceTypes,
      title: both(m.title),
      description: m.description === undefined ? [] : both(m.description),
      distributedAs: m.distributions.map((d) =>
        d.format === 'application/xml'
          ? {
              format: d.format,
              conformsTo: d.conformsTo,
              ...(d.transformation === undefined ? {} : { transformation: d.transformation }),
            }
          : { format: d.format },
      ),
      authenticationLevelOfAssurance: requiredLevel(m),
      accessService: {
        identifier: { value: access.partyId, schemeID: access.partyIdType },
        conformsTo: access.conformsTo,
        publisher: {
          identifier: { value: m.issuingAuthority.id, schemeID: m.issuingAuthority.scheme },
          name: both(m.issuingAuthority.name),
          address: { adminUnitLevel1: access.country },
          classification: 'EP',
        },
      },
    },
    jurisdiction: { adminUnitLevel1: access.country },
    subject: m.subject,
    preview: m.preview !== undefined,
  };
}

/** The same as readable text, for a person filling in the DSD forms. */
export function formatDsdText(r: DsdRegistration): string {
  const e = r.dataServiceEvidenceType;
  const text = (list: readonly { lang: string; value: string }[]) =>
    list.map((t) => `${t.value} (${t.lang})`).join(' / ');
  const lines = [
    `Data Service Directory registration for mapping ${r.mappingId} ${r.mappingVersion}`,
    '',
    'DataServiceEvidenceType',
    `  Identifier                  ${e.identifier}`,
    `  EvidenceTypeClassification  ${e.evidenceTypeClassification}`,
    ...e.evidenceTypeClassifications.slice(1).map((c) => `                              ${c} (also served)`),
    `  Title                       ${text(e.title)}`,
    ...(e.description.length === 0 ? [] : [`  Description                 ${text(e.description)}`]),
    `  Subject                     ${r.subject}`,
    `  Preview                     ${r.preview ? 'offered (PossibilityForPreview may be true)' : 'not offered'}`,
    '  DistributedAs',
    ...e.distributedAs.flatMap((d) => [
      `    - Format          ${d.format}`,
      ...(d.conformsTo === undefined ? [] : [`      ConformsTo      ${d.conformsTo}`]),
      ...(d.transformation === undefined ? [] : [`      Transformation  ${d.transformation}`]),
    ]),
    `  AuthenticationLevelOfAssurance  ${e.authenticationLevelOfAssurance}`,
    '  AccessService',
    `    Identifier        ${e.accessService.identifier.value} (schemeID ${e.accessService.identifier.schemeID})`,
    `    ConformsTo        ${e.accessService.conformsTo.join(', ')}`,
    '    Publisher',
    `      Identifier      ${e.accessService.publisher.identifier.value} (schemeID ${e.accessService.publisher.identifier.schemeID})`,
    `      Name            ${text(e.accessService.publisher.name)}`,
    `      Address         AdminUnitLevel1 ${e.accessService.publisher.address.adminUnitLevel1}`,
    `      Classification  ${e.accessService.publisher.classification}`,
    `Jurisdiction          AdminUnitLevel1 ${r.jurisdiction.adminUnitLevel1}`,
  ];
  return `${lines.join('\n')}\n`;
}
