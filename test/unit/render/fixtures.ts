/** Inline mappings and records for the render tests (synthetic people only). */
import type { RenderInput } from '../../../src/render/port.js';
import type { EvidenceMapping, PdfDistribution, XmlDistribution } from '../../../src/mapping/model.js';

export const LATVIAN_LETTERS = 'āčēģīķļņšūž ĀČĒĢĪĶĻŅŠŪŽ';

export const xmlDistribution: XmlDistribution = {
  format: 'application/xml',
  conformsTo: 'https://sr.oots.tech.ec.europa.eu/datamodels/LV/test-birth',
  xml: {
    root: 'BirthCertificate',
    namespace: 'urn:lv:oots:evidence:birth:1.0',
    fields: [
      { from: 'PersonalCode', path: 'Child/Identifier' },
      { from: 'GivenName', path: 'Child/GivenName' },
      { from: 'FamilyName', path: 'Child/FamilyName' },
      { from: 'BirthDate', path: 'Child/DateOfBirth' },
      { from: 'Birth.Place', path: 'Birth/Place' },
      { from: 'Birth.Country', path: 'Birth/@country' },
      { from: 'Parents.0.Name', path: 'Parents/Mother/Name' },
      { from: 'Parents.1.Name', path: 'Parents/Father/Name', optional: true },
      { from: 'Registered', path: 'Registration/Registered' },
      { from: 'Volume', path: 'Registration/Volume' },
      { from: 'Notes', path: 'Registration/Note' },
      { from: 'Remark', path: 'Registration/Remark', optional: true },
      { from: '$issuingDate', path: 'IssueDate' },
    ],
  },
};

export const pdfDistribution: PdfDistribution = {
  format: 'application/pdf',
  pdf: {
    sections: [
      {
        title: { lv: 'Bērns', en: 'Child' },
        fields: [
          { from: 'GivenName', label: { lv: 'Vārds', en: 'Given name' } },
          { from: 'FamilyName', label: { lv: 'Uzvārds', en: 'Family name' } },
          { from: 'PersonalCode', label: { lv: 'Personas kods', en: 'Personal code' } },
          { from: 'BirthDate', label: { lv: 'Dzimšanas datums', en: 'Date of birth' } },
        ],
      },
      {
        title: { lv: 'Dzimšanas vieta', en: 'Place of birth' },
        fields: [
          { from: 'Birth.Place', label: { lv: 'Vieta', en: 'Place' } },
          { from: 'Birth.Country', label: { lv: 'Valsts', en: 'Country' } },
        ],
      },
      {
        title: { lv: 'Vecāki', en: 'Parents' },
        fields: [
          { from: 'Parents.0.Name', label: { lv: 'Māte', en: 'Mother' } },
          { from: 'Parents.1.Name', label: { lv: 'Tēvs', en: 'Father' }, optional: true },
        ],
      },
      {
        title: { lv: 'Reģistrācija', en: 'Registration' },
        fields: [
          { from: 'Registered', label: { lv: 'Reģistrēts', en: 'Registered' } },
          { from: 'Volume', label: { lv: 'Sējums', en: 'Volume' } },
          { from: 'Notes', label: { lv: 'Piezīmes (visi latviešu burti)', en: 'Notes (every Latvian letter)' } },
          { from: 'Remark', label: { lv: 'Atzīme', en: 'Remark' }, optional: true },
        ],
      },
    ],
  },
};

export const mapping: EvidenceMapping = {
  id: 'test-birth',
  version: '1.0.0',
  evidenceTypes: [
    'https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/LV/00000000-0000-4000-8000-000000000001',
  ],
  title: { lv: 'Dzimšanas apliecība', en: 'Birth certificate' },
  issuingAuthority: {
    id: '90000000001',
    scheme: 'urn:cef.eu:names:identifier:EAS:9939',
    name: {
      lv: 'Pilsonības un migrācijas lietu pārvalde (tests)',
      en: 'Office of Citizenship and Migration Affairs (test)',
    },
  },
  subject: 'NaturalPerson',
  dagr: {
    service: 'test-birth',
    permission: 'VIRSIS-TEST-1',
    lookup: { from: 'eidas-national' },
    match: [{ attribute: 'FamilyName', field: 'FamilyName' }],
    nameMatching: 'fold-diacritics',
    updatedAtField: 'UpdatedAt',
  },
  distributions: [xmlDistribution, pdfDistribution],
  validityDays: 90,
};

export const record = {
  fields: {
    PersonalCode: '010190-10005',
    GivenName: 'Ģirts Ēriks',
    FamilyName: 'Žvīgule-Ņikitina',
    BirthDate: '1990-01-01',
    Birth: { Place: 'Ķekava, Ļaudonas iela 7 & <Šķūnis>', Country: 'LV' },
    Parents: [{ Name: 'Čaklā Ūna' }],
    Registered: true,
    Volume: 42,
    Notes: `Visi burti: ${LATVIAN_LETTERS}`,
    UpdatedAt: '2024-02-29T09:30:00Z',
  },
  fetchedAt: '2024-03-01T10:15:00Z',
};

export function input(
  distribution: XmlDistribution | PdfDistribution,
  overrides: Partial<RenderInput> = {},
): RenderInput {
  return {
    mapping,
    distribution,
    record,
    issuingDate: '2024-03-01',
    subjectLabel: { name: 'Ģirts Ēriks Žvīgule-Ņikitina', identifier: 'LV/DE/010190-10005' },
    languages: ['lv', 'en'],
    renderedAt: '2024-03-01T10:15:30Z',
    ...overrides,
  };
}
