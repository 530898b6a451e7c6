import { AdapterError } from '../../../src/errors.js';
import type { QueryRequest } from '../../../src/edm/model.js';
import { parseQueryRequest } from '../../../src/edm/parse-request.js';
import { UnsupportedVersionError } from '../../../src/edm/version.js';
import { parseXml } from '../../../src/edm/xml/parse.js';
import { sample, SAMPLE_MESSAGES } from '../../support/samples.js';

function parse(xml: string, fallbackVersion?: QueryRequest['version']): QueryRequest {
  return parseQueryRequest(parseXml(xml), fallbackVersion === undefined ? {} : { fallbackVersion });
}

const requests = SAMPLE_MESSAGES.filter((s) => s.kind === 'QueryRequest');

describe('every official sample request parses', () => {
  test.each(requests.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    const text = s.load();
    const m = parse(text, s.headerVersion);
    expect(m.version).toBe(s.version ?? s.headerVersion);
    // The id as written in the file's root start tag ('' when absent: a connectathon draft has `requestID`).
    const id = /<query:QueryRequest\b[^>]*\sid="([^"]*)"/.exec(text)?.[1] ?? '';
    expect(m.id).toBe(id);
    expect(m.evidenceRequesters.length).toBeGreaterThan(0);
    expect(m.evidenceRequest?.evidenceTypeClassification).toMatch(/\S/);
    expect(m.evidenceRequest?.distributedAs.length).toBeGreaterThan(0);
    expect(m.subject).toBeDefined();
    // The incoming payload elides this slot along with the version.
    expect(typeof m.possibilityForPreview).toBe(s.version === undefined ? 'undefined' : 'boolean');
  });

  test('the catalogue holds requests of every served generation', () => {
    expect(new Set(requests.map((s) => s.version))).toEqual(
      new Set(['oots-edm:v1.0', 'oots-edm:v1.2', 'oots-edm:v2.0', undefined]),
    );
  });

  test('responses are refused as not a QueryRequest', () => {
    for (const s of SAMPLE_MESSAGES.filter((x) => x.kind !== 'QueryRequest')) {
      expect(() => parse(s.load(), 'oots-edm:v2.0')).toThrow(
        expect.objectContaining({ code: 'ERR_EDM_UNKNOWN_DOCUMENT' }),
      );
    }
  });
});

describe('TDD 4.5.4 birth certificate, full example (v1.0, natural person)', () => {
  test('reads every field', () => {
    expect(parse(sample('birth-request').load())).toEqual({
      id: 'urn:uuid:4ffb5281-179d-4578-adf2-39fd13ccc797',
      version: 'oots-edm:v1.0',
      lang: 'EN',
      issueDateTime: '2022-05-19T17:08:10.872Z',
      procedure: { lang: 'EN', value: 'R1' },
      previewLocation: undefined,
      returnLocation: undefined,
      possibilityForPreview: false,
      explicitRequestGiven: true,
      requirements: [
        {
          identifier: 'https://sr.oots.tech.europa.eu/requirements/315cfd75-6605-49c4-b0fe-799833b41099',
          names: [{ lang: 'EN', value: 'Proof of Birth' }],
          descriptions: [],
        },
      ],
      evidenceRequesters: [
        {
          identifier: { value: 'DK22233223', schemeID: 'urn:cef.eu:names:identifier:EAS:0096' },
          names: [{ lang: 'EN', value: 'Denmark University Portal' }],
          address: {
            fullAddress: 'Prince Street 15, 1050 Copenhagen, Denmark',
            locatorDesignator: '15',
            postCode: '1050',
            postCityName: 'Copenhagen',
            thoroughfare: 'Prince Street',
            adminUnitLevel1: 'DK',
            adminUnitLevel2: 'DK011',
          },
          classification: 'ER',
        },
      ],
      evidenceProvider: {
        identifier: { value: 'DE73524311', schemeID: 'urn:cef.eu:names:identifier:EAS:9930' },
        names: [{ lang: 'EN', value: 'Civil Registration Office Berlin I' }],
        address: undefined,
        classification: undefined,
      },
      evidenceProviderClassifications: [
        {
          identifier: 'b07146b6-1468-41a7-a10f-ee2a61429dbc',
          type: 'Codelist',
          valueExpression: 'https://sr.oots.tech.europa.eu/ep-classification/de/countryresidence',
          descriptions: [
            {
              lang: 'EN',
              value:
                'Rules of responsibility for the processing of personal status cases of German citizens without residence information',
            },
            {
              lang: 'DE',
              value:
                'Zuständigkeitsregelungen für die Bearbeitung von personenstandsrechtlichen Vorgängen deutscher Staatsangehöriger ohne Wohnsitzinformation',
            },
          ],
          supportedValue: { kind: 'String', value: 'ApplicantHasNeverBeenResidentInGermany' },
        },
      ],
      subject: {
        kind: 'NaturalPerson',
        levelOfAssurance: 'High',
        identifier: { value: 'DK/DE/123123123', schemeID: 'eidas' },
        familyName: 'Smith',
        givenName: 'John',
        dateOfBirth: '1970-03-01',
        birthName: 'John Doepidis',
        placeOfBirth: 'Hamburg, Germany',
        currentAddress: {
          fullAddress: 'Refshalevej 96, 1432 København, Denmark',
          locatorDesignator: '96',
          postCode: '1432',
          postCityName: 'København',
          thoroughfare: 'Refshalevej',
          adminUnitLevel1: 'DK',
          adminUnitLevel2: 'DK011',
        },
        gender: 'Male',
        nationality: undefined,
        countryOfBirth: undefined,
        townOfBirth: undefined,
        countryOfResidence: undefined,
        phoneNumber: undefined,
        emailAddress: undefined,
        sectorSpecificAttributes: [
          {
            attributeName: 'IBAN',
            attributeURI: 'http://eidas.europa.eu/attributes/naturalperson/banking/IBAN',
            attributeValue: 'DE02500105170137075032',
          },
          {
            attributeName: 'BIC',
            attributeURI: 'http://eidas.europa.eu/attributes/naturalperson/banking/BIC',
            attributeValue: 'INGDDEFFYYY',
          },
        ],
      },
      authorizedRepresentative: undefined,
      authorizedRepresentativeLegalPerson: undefined,
      evidenceRequest: {
        identifier: '2af27699-f131-4411-8fdb-9e8cd4e8bded',
        evidenceTypeClassification:
          'https://sr.oots.tech.europa.eu/evidencetypeclassifications/DE/ca8afed6-2dc0-422a-a931-d21c3d8d370e',
        titles: [
          { lang: 'EN', value: 'Certificate of Birth' },
          { lang: 'DE', value: 'Geburtsurkunde' },
        ],
        descriptions: [
          {
            lang: 'EN',
            value:
              'An official certificate of birth of a person - with first name, surname, sex, date and place of birth, which is obtained from the birth register of the place of birth.',
          },
          {
            lang: 'DE',
            value:
              'Eine amtliche Bescheinigung über die Geburt einer Person – mit Vorname, Familienname, Geschlecht, Datum und Ort der Geburt, welche aus dem Geburtsregister des Geburtsortes erstellt wird.',
          },
        ],
        distributedAs: [
          {
            format: 'application/xml',
            conformsTo: 'https://sr.oots.tech.europa.eu/distributions/certificate-of-birth-1.0.0',
            transformation: 'https://sr.oots.tech.europa.eu/distributions/certificate-of-birth-1.0.0/age-of-majority',
            languages: [],
          },
        ],
        associatedDocumentRequests: [],
      },
    });
  });
});

describe('TDD 4.5.4 commercial register, full example (v1.0, legal person with representative)', () => {
  const m = parse(sample('tax-request').load());

  test('reads the legal person', () => {
    expect(m.subject).toEqual({
      kind: 'LegalPerson',
      levelOfAssurance: 'High',
      legalPersonIdentifier: { value: 'SE/DE/12132123Y', schemeID: 'eidas' },
      identifiers: [
        { value: '113123123123123', schemeID: 'TAX' },
        { value: 'SE730757727', schemeID: 'VAT' },
      ],
      legalName: 'Sweden ltd',
      registeredAddress: {
        fullAddress: 'Prince Street 15, 11121 Stockholm, Sweden',
        locatorDesignator: '15',
        postCode: '11121',
        postCityName: 'Stockholm',
        thoroughfare: 'PrinceStreet',
        adminUnitLevel1: 'SE',
        adminUnitLevel2: 'SE11',
      },
      sectorSpecificAttributes: [
        {
          attributeName: 'IBAN',
          attributeURI: 'http://eidas.europa.eu/attributes/legalperson/banking/IBAN',
          attributeValue: 'SE02500105170137075032',
        },
        {
          attributeName: 'BIC',
          attributeURI: 'http://eidas.europa.eu/attributes/legalperson/banking/BIC',
          attributeValue: 'INGDDEFFYYY',
        },
      ],
    });
  });

  test('reads the natural-person representative beside the subject', () => {
    expect(m.authorizedRepresentative).toMatchObject({
      kind: 'NaturalPerson',
      levelOfAssurance: 'High',
      identifier: { value: 'GR/DE/123131329', schemeID: 'eidas' },
      familyName: 'Doe',
      givenName: 'John',
      dateOfBirth: '1978-09-09',
      birthName: 'Jonathan Doepidis',
      placeOfBirth: 'Athens',
      currentAddress: { postCityName: 'Athens', adminUnitLevel1: 'GR', adminUnitLevel2: 'EL3' },
      gender: 'Male',
    });
    expect(m.authorizedRepresentative?.sectorSpecificAttributes.map((a) => a.attributeName)).toEqual([
      'Mobile-ID',
      'Residency-ID',
    ]);
    expect(m.authorizedRepresentativeLegalPerson).toBeUndefined();
  });

  test('reads the requested distribution with its transformation', () => {
    expect(m.evidenceRequest?.distributedAs).toEqual([
      {
        format: 'application/xml',
        conformsTo: 'https://sr.oots.tech.europa.eu/distributions/BRIS-1.0.0',
        transformation: 'https://sr.oots.tech.europa.eu/distributions/BRIS-1.0.0/business-registry-number-1.0.0',
        languages: [],
      },
    ]);
    expect(m.evidenceRequest?.descriptions[0]?.value).toBe(
      'Extract of the trade register department A for sole traders and corporations. (for example OHG, KG, GmbH, AG)',
    );
  });
});

describe('Projectathon 2023 preview flow (v1.0)', () => {
  test('request #1 asks for preview and has no PreviewLocation', () => {
    const m = parse(sample('TC06_Request_1').load());
    expect(m.possibilityForPreview).toBe(true);
    expect(m.previewLocation).toBeUndefined();
  });

  test('request #2 carries the PreviewLocation of the first answer', () => {
    const m = parse(sample('TC06_Request_2').load());
    expect(m).toMatchObject({
      id: 'urn:uuid:cb6b247f-232a-4163-87ce-c3e49b148e0a',
      lang: 'DE',
      issueDateTime: '2023-03-30T10:20:32+01:00',
      procedure: { lang: 'EN', value: 'T2' },
      previewLocation: 'https://preview.space.example.com/requests?session=d36af8bc-fea6-4ee5-a32d-5bef82cdb071',
      returnLocation: undefined,
      possibilityForPreview: true,
      explicitRequestGiven: true,
      subject: {
        kind: 'NaturalPerson',
        givenName: 'Jonas',
        familyName: 'Smith',
        identifier: { value: 'DE/DE/123456787', schemeID: 'eidas' },
      },
      evidenceProvider: {
        identifier: { value: '02-SchoolAuthority-34', schemeID: 'urn:cef.eu:names:identifier:EAS:0204' },
      },
    });
    expect(m.evidenceRequest?.distributedAs).toEqual([
      { format: 'application/pdf', conformsTo: undefined, transformation: undefined, languages: [] },
    ]);
    expect(m.evidenceProviderClassifications).toEqual([]);
  });
});

describe('v1.2 second request (education, eIDAS additions)', () => {
  // Parsed inside each test so that a reader failure fails the tests, not the whole suite.
  let parsed: QueryRequest | undefined;
  const request = (): QueryRequest => (parsed ??= parse(sample('v1.2-second-request').load()));

  test('reads the top-level slots, trimming wrapped values', () => {
    expect(request()).toMatchObject({
      version: 'oots-edm:v1.2',
      lang: 'DE',
      procedure: { lang: 'EN', value: 'T2' },
      previewLocation: 'https://preview.space.example.com/requests?session=d36af8bc-fea6-4ee5-a32d-5bef82cdb071',
      possibilityForPreview: true,
    });
    expect(request().requirements).toHaveLength(2);
    expect(request().requirements[0]).toMatchObject({
      identifier: 'https://sr.oots.tech.ec.europa.eu/requirements/cfcd4e22-30f1-48fa-93e4-6cf98cedbf40',
      names: [
        { lang: 'EN', value: 'Proof of secondary education diploma/certificate' },
        { lang: 'DE', value: 'Nachweis eines Sekundarschulabschlusses/Zeugnisses' },
      ],
    });
    expect(request().requirements[0]?.descriptions.map((d) => d.lang)).toEqual(['EN', 'DE']);
    expect(request().requirements[1]?.descriptions).toEqual([]);
  });

  test('reads the user-selected classification value', () => {
    expect(request().evidenceProviderClassifications).toEqual([
      {
        identifier: '9be524c1-6efe-417a-974c-088f54f0bcae',
        type: 'codelist',
        valueExpression:
          'https://query.cs.uat.oots.tech.ec.europa.eu/dsd/rest/codelists/DE/regionalStates/2aae6c35c94fcfb415dbe95f408b9ce91ee846ed',
        descriptions: [
          { lang: 'EN', value: expect.stringMatching(/^Select the federal state .*leaving certificate\.$/s) },
          { lang: 'DE', value: expect.stringMatching(/^Wählen Sie das Bundesland/) },
        ],
        supportedValue: { kind: 'String', value: 'HH' },
      },
    ]);
  });

  test('reads the eIDAS optional attributes of the person', () => {
    expect(request().subject).toMatchObject({
      kind: 'NaturalPerson',
      givenName: 'Jack',
      gender: 'Male',
      nationality: 'DE',
      countryOfBirth: 'DE',
      townOfBirth: 'Koeln',
      countryOfResidence: 'DE',
      phoneNumber: '+49912739000',
      emailAddress: 'jack.smith@mail.com',
      currentAddress: { thoroughfare: 'Lansstraße', adminUnitLevel2: 'DEA2' },
    });
  });

  test('reads the 1.2 datamodel URIs', () => {
    expect(request().evidenceRequest).toMatchObject({
      evidenceTypeClassification:
        'https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/DE/edf717b7-b373-40b1-b51b-cbb7c9d64de5',
      distributedAs: [
        {
          format: 'application/xml',
          conformsTo: 'https://sr.oots.tech.ec.europa.eu/datamodels/secondary-education-evidence-1.0.0',
          transformation: 'https://sr.oots.tech.ec.europa.eu/datamodels/secondary-education-evidence-1.0.0/passed',
          languages: [],
        },
      ],
    });
  });
});

describe('v2.0 (oots-france requete.xml)', () => {
  const text = sample('v2.0-requete').load();

  test('reads the 2.0 shapes: string procedure, language per distribution, intermediary agent', () => {
    const m = parse(text);
    expect(m).toMatchObject({
      id: 'urn:uuid:1a2b3c4d-0000-4000-8000-000000000000',
      version: 'oots-edm:v2.0',
      lang: undefined,
      issueDateTime: '2026-08-06T10:00:00.000Z',
      procedure: { lang: undefined, value: 'T3' },
      previewLocation: undefined,
      returnLocation: undefined,
      possibilityForPreview: false,
      explicitRequestGiven: true,
    });
    expect(
      m.evidenceRequesters.map((a) => [a.identifier?.value, a.classification, a.address?.adminUnitLevel1]),
    ).toEqual([
      ['00000000000002', 'ER', 'FR'],
      ['OOTSFRANCE', 'IP', undefined],
    ]);
    expect(m.evidenceRequest?.distributedAs).toEqual([
      { format: 'application/pdf', conformsTo: undefined, transformation: undefined, languages: ['EN'] },
    ]);
    expect(m.evidenceRequest?.associatedDocumentRequests).toEqual([]);
  });

  test('reads ReturnLocation and PreviewLocation of a synthesized request #2', () => {
    const second = text.replace(
      '<query:ResponseOption',
      `<rim:Slot name="ReturnLocation"><rim:SlotValue xsi:type="rim:StringValueType">
         <rim:Value>https://portal.example.org/return?case=42</rim:Value></rim:SlotValue></rim:Slot>
       <rim:Slot name="PreviewLocation"><rim:SlotValue xsi:type="rim:StringValueType">
         <rim:Value>https://preview.example.lv/p/5f1c9a2e</rim:Value></rim:SlotValue></rim:Slot>
       <query:ResponseOption`,
    );
    const m = parse(second);
    expect(m.returnLocation).toBe('https://portal.example.org/return?case=42');
    expect(m.previewLocation).toBe('https://preview.example.lv/p/5f1c9a2e');
  });

  test('reads several distributions, each with languages and associated documents', () => {
    const several = text.replace(
      /<sdg:DistributedAs>[\s\S]*?<\/sdg:DistributedAs>/,
      `<sdg:DistributedAs>
         <sdg:Format>application/pdf</sdg:Format>
         <sdg:Language>EN</sdg:Language>
         <sdg:Language>LV</sdg:Language>
         <sdg:AssociatedDocumentRequest>Translation</sdg:AssociatedDocumentRequest>
       </sdg:DistributedAs>
       <sdg:DistributedAs>
         <sdg:Format>application/xml</sdg:Format>
         <sdg:ConformsTo>https://sr.oots.tech.ec.europa.eu/datamodels/certificate-of-birth-1.0.0</sdg:ConformsTo>
         <sdg:AssociatedDocumentRequest>HumanReadableVersion</sdg:AssociatedDocumentRequest>
         <sdg:AssociatedDocumentRequest>Translation</sdg:AssociatedDocumentRequest>
       </sdg:DistributedAs>`,
    );
    const e = parse(several).evidenceRequest;
    expect(e?.distributedAs).toEqual([
      {
        format: 'application/pdf',
        conformsTo: undefined,
        transformation: undefined,
        languages: ['EN', 'LV'],
        associatedDocumentRequests: ['Translation'],
      },
      {
        format: 'application/xml',
        conformsTo: 'https://sr.oots.tech.ec.europa.eu/datamodels/certificate-of-birth-1.0.0',
        transformation: undefined,
        languages: [],
        associatedDocumentRequests: ['HumanReadableVersion', 'Translation'],
      },
    ]);
    expect(e?.associatedDocumentRequests).toEqual(['Translation', 'HumanReadableVersion']);
  });

  test('reads a legal-person representative (AuthorizedRepresentativeLegalPerson)', () => {
    const withRep = text.replace(
      '<rim:Slot name="EvidenceRequest">',
      `<rim:Slot name="AuthorizedRepresentativeLegalPerson"><rim:SlotValue xsi:type="rim:AnyValueType">
         <sdg:LegalPerson>
           <sdg:LevelOfAssurance>Substantial</sdg:LevelOfAssurance>
           <sdg:LegalPersonIdentifier schemeID="eidas">LV/FR/40000000001</sdg:LegalPersonIdentifier>
           <sdg:LegalName>Example Agency SIA</sdg:LegalName>
         </sdg:LegalPerson></rim:SlotValue></rim:Slot>
       <rim:Slot name="EvidenceRequest">`,
    );
    const m = parse(withRep);
    expect(m.authorizedRepresentativeLegalPerson).toEqual({
      kind: 'LegalPerson',
      levelOfAssurance: 'Substantial',
      legalPersonIdentifier: { value: 'LV/FR/40000000001', schemeID: 'eidas' },
      identifiers: [],
      legalName: 'Example Agency SIA',
      registeredAddress: undefined,
      sectorSpecificAttributes: [],
    });
    expect(m.authorizedRepresentative).toBeUndefined();
    expect(m.subject?.kind).toBe('NaturalPerson');
  });
});

describe('v2.0 request as received (incoming/requete.xml, slots elided)', () => {
  const s = sample('v2.0-incoming-requete');

  test('without the header version it is refused as missing a SpecificationIdentifier', () => {
    expect(() => parse(s.load())).toThrow(UnsupportedVersionError);
    expect(() => parse(s.load())).toThrow(/^missing SpecificationIdentifier/);
  });

  test('with the ebMS SpecificationId as fallback it parses what is there', () => {
    const m = parse(s.load(), 'oots-edm:v2.0');
    expect(m).toMatchObject({
      version: 'oots-edm:v2.0',
      lang: 'EN',
      procedure: { lang: undefined, value: '00' },
      issueDateTime: undefined,
      possibilityForPreview: undefined,
      explicitRequestGiven: undefined,
      requirements: [],
      evidenceProvider: undefined,
      subject: { kind: 'NaturalPerson', familyName: 'Dupont', identifier: undefined },
    });
  });
});

describe('leniency and refusals', () => {
  const head = `<query:QueryRequest xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0"
      xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:4.0" xmlns:sdg="http://data.europa.eu/p4s"
      xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="urn:uuid:6f1d2c3b-8a9e-4f70-b1c2-d3e4f5a6b7c8">`;
  const slot = (name: string, value: string): string =>
    `<rim:Slot name="${name}"><rim:SlotValue xsi:type="rim:StringValueType"><rim:Value>${value}</rim:Value></rim:SlotValue></rim:Slot>`;
  const doc = (...parts: string[]): string => `${head}${parts.join('')}</query:QueryRequest>`;
  const version = slot('SpecificationIdentifier', 'oots-edm:v1.2');

  test('a request with nothing but its version gives undefined and empty fields', () => {
    expect(parse(doc(version))).toEqual({
      id: 'urn:uuid:6f1d2c3b-8a9e-4f70-b1c2-d3e4f5a6b7c8',
      version: 'oots-edm:v1.2',
      lang: undefined,
      issueDateTime: undefined,
      procedure: undefined,
      previewLocation: undefined,
      returnLocation: undefined,
      possibilityForPreview: undefined,
      explicitRequestGiven: undefined,
      requirements: [],
      evidenceRequesters: [],
      evidenceProvider: undefined,
      evidenceProviderClassifications: [],
      subject: undefined,
      authorizedRepresentative: undefined,
      authorizedRepresentativeLegalPerson: undefined,
      evidenceRequest: undefined,
    });
  });

  test.each([
    ['true', true],
    ['1', true],
    [' false\n', false],
    ['0', false],
    ['TRUE', undefined],
    ['yes', undefined],
    ['', undefined],
  ])('boolean %j reads as %j', (value, expected) => {
    expect(parse(doc(version, slot('PossibilityForPreview', value))).possibilityForPreview).toBe(expected);
  });

  test('slots are found by name whatever their order', () => {
    const m = parse(
      doc(
        slot('ExplicitRequestGiven', 'true'),
        slot('PreviewLocation', 'https://p.example/x'),
        version,
        slot('IssueDateTime', '2024-01-02T03:04:05Z'),
      ),
    );
    expect(m).toMatchObject({
      version: 'oots-edm:v1.2',
      explicitRequestGiven: true,
      previewLocation: 'https://p.example/x',
      issueDateTime: '2024-01-02T03:04:05Z',
    });
  });

  test('a duplicated slot: the first one counts (the rules report the duplicate)', () => {
    expect(
      parse(doc(version, slot('PreviewLocation', 'https://a.example'), slot('PreviewLocation', 'https://b.example')))
        .previewLocation,
    ).toBe('https://a.example');
  });

  test('an agent is read from either slot value shape; elements of other namespaces are ignored', () => {
    const agent = (id: string, ns = 'sdg'): string =>
      `<${ns}:Agent><${ns}:Identifier schemeID="s">${id}</${ns}:Identifier><${ns}:Name xml:lang="LV">Iestāde</${ns}:Name></${ns}:Agent>`;
    const m = parse(
      doc(
        version,
        `<rim:Slot name="EvidenceProvider"><rim:SlotValue xsi:type="rim:CollectionValueType"><rim:Element xsi:type="rim:AnyValueType">${agent('P1')}</rim:Element></rim:SlotValue></rim:Slot>`,
        `<rim:Slot name="EvidenceRequester"><rim:SlotValue xsi:type="rim:AnyValueType" xmlns:other="urn:example:other">${agent('X', 'other')}${agent('R1')}</rim:SlotValue></rim:Slot>`,
      ),
    );
    expect(m.evidenceProvider).toEqual({
      identifier: { value: 'P1', schemeID: 's' },
      names: [{ lang: 'LV', value: 'Iestāde' }],
      address: undefined,
      classification: undefined,
    });
    expect(m.evidenceRequesters.map((a) => a.identifier?.value)).toEqual(['R1']);
  });

  test('a procedure written as a plain string in 1.x, or a LocalizedString in 2.0, is still read', () => {
    const intl = `<rim:Slot name="Procedure"><rim:SlotValue xsi:type="rim:InternationalStringValueType"><rim:Value><rim:LocalizedString xml:lang="LV" value=" T1 "/></rim:Value></rim:SlotValue></rim:Slot>`;
    expect(parse(doc(slot('SpecificationIdentifier', 'oots-edm:v2.0'), intl)).procedure).toEqual({
      lang: 'LV',
      value: 'T1',
    });
    expect(parse(doc(version, slot('Procedure', 'T1'))).procedure).toEqual({ lang: undefined, value: 'T1' });
    expect(parse(doc(version, slot('Procedure', '  '))).procedure).toBeUndefined();
  });

  test('Query slots outside query:Query are not read as the subject', () => {
    const person = `<rim:Slot name="NaturalPerson"><rim:SlotValue xsi:type="rim:AnyValueType"><sdg:Person><sdg:FamilyName>Bērziņa</sdg:FamilyName></sdg:Person></rim:SlotValue></rim:Slot>`;
    expect(parse(doc(version, person)).subject).toBeUndefined();
    expect(parse(doc(version, `<query:Query>${person}</query:Query>`)).subject).toMatchObject({
      kind: 'NaturalPerson',
      familyName: 'Bērziņa',
    });
  });

  test('with both a natural and a legal person, the natural person is the subject', () => {
    const q = `<query:Query>
      <rim:Slot name="LegalPerson"><rim:SlotValue><sdg:LegalPerson><sdg:LegalName>SIA Piemērs</sdg:LegalName></sdg:LegalPerson></rim:SlotValue></rim:Slot>
      <rim:Slot name="NaturalPerson"><rim:SlotValue><sdg:Person><sdg:GivenName>Anna</sdg:GivenName></sdg:Person></rim:SlotValue></rim:Slot>
    </query:Query>`;
    expect(parse(doc(version, q)).subject).toMatchObject({ kind: 'NaturalPerson', givenName: 'Anna' });
  });

  test('supported values of other kinds are read', () => {
    const epc = (inner: string): string =>
      `<rim:Slot name="EvidenceProviderClassification"><rim:SlotValue><rim:Element><sdg:EvidenceProviderClassification><sdg:Identifier>c</sdg:Identifier><sdg:SupportedValue>${inner}</sdg:SupportedValue></sdg:EvidenceProviderClassification></rim:Element></rim:SlotValue></rim:Slot>`;
    expect(
      parse(doc(version, epc('<sdg:DateValue>2001-02-03</sdg:DateValue>'))).evidenceProviderClassifications[0]
        ?.supportedValue,
    ).toEqual({ kind: 'Date', value: '2001-02-03' });
    expect(
      parse(doc(version, epc('<sdg:BooleanValue>true</sdg:BooleanValue>'))).evidenceProviderClassifications[0]
        ?.supportedValue,
    ).toEqual({ kind: 'Boolean', value: 'true' });
    expect(parse(doc(version, epc(''))).evidenceProviderClassifications[0]?.supportedValue).toBeUndefined();
  });

  test('the connectathon draft slot name EvidenceProviderClassificationValues is not read', () => {
    const m = parse(sample('connectathon-request2-after-preview').load());
    expect(m.evidenceProviderClassifications).toEqual([]);
    expect(m.procedure).toEqual({ lang: 'en', value: 'Requesting recognition of diploma' });
    expect(m.id).toBe('bc2842c1-6625-450d-a7c6-7d692230b753');
  });

  test('an unsupported version is refused, naming the value', () => {
    const run = (): QueryRequest => parse(doc(slot('SpecificationIdentifier', 'oots-edm:v9.9')), 'oots-edm:v2.0');
    expect(run).toThrow(UnsupportedVersionError);
    expect(run).toThrow('unsupported SpecificationIdentifier "oots-edm:v9.9"');
  });

  test('a missing version without fallback is refused', () => {
    expect(() => parse(doc())).toThrow(
      expect.objectContaining({ code: 'ERR_EDM_UNSUPPORTED_VERSION', edmCode: 'EDM:ERR:0003' }),
    );
  });

  test.each([
    ['a QueryResponse', '<q:QueryResponse xmlns:q="urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0"/>'],
    ['a QueryRequest of another namespace', '<QueryRequest xmlns="urn:example"/>'],
    ['arbitrary XML', '<root/>'],
  ])('%s is refused as not a QueryRequest', (_label, xml) => {
    let error: unknown;
    try {
      parse(xml, 'oots-edm:v1.0');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AdapterError);
    expect(error).toMatchObject({ code: 'ERR_EDM_UNKNOWN_DOCUMENT', edmCode: 'EDM:ERR:0003' });
  });
});
