/**
 * The typed OOTS EDM model: what a QueryRequest says, and what our responses say. Pure data;
 * parsers fill it, builders read it. Field names follow the EDM element names.
 */

/** EDM versions the adapter serves, as written in `SpecificationIdentifier`. */
export type EdmVersion = 'oots-edm:v1.0' | 'oots-edm:v1.1' | 'oots-edm:v1.2' | 'oots-edm:v2.0';
export const EDM_VERSIONS: readonly EdmVersion[] = ['oots-edm:v1.0', 'oots-edm:v1.1', 'oots-edm:v1.2', 'oots-edm:v2.0'];

/** v1.x and v2.0 differ structurally (notes §8); everything version-dependent keys on this. */
export type EdmGeneration = 'v1' | 'v2';
export function generationOf(version: EdmVersion): EdmGeneration {
  return version === 'oots-edm:v2.0' ? 'v2' : 'v1';
}

export interface LocalizedText {
  /** Language code as written (`lang` or `xml:lang`), e.g. `EN`. */
  readonly lang: string | undefined;
  readonly value: string;
}

export interface Identifier {
  readonly value: string;
  readonly schemeID: string | undefined;
}

export interface Address {
  readonly fullAddress?: string;
  readonly locatorDesignator?: string;
  readonly postCode?: string;
  readonly postCityName?: string;
  readonly thoroughfare?: string;
  /** ISO 3166-1 alpha-2 country code. */
  readonly adminUnitLevel1?: string;
  /** NUTS code. */
  readonly adminUnitLevel2?: string;
}

export interface Agent {
  readonly identifier: Identifier | undefined;
  readonly names: readonly LocalizedText[];
  readonly address: Address | undefined;
  /** `ER`, `IP`, `EP`, `ERRP` (AgentClassification code list). */
  readonly classification: string | undefined;
}

export interface SectorSpecificAttribute {
  readonly attributeName: string | undefined;
  readonly attributeURI: string | undefined;
  readonly attributeValue: string | undefined;
}

/** `sdg:Person` (NaturalPerson and AuthorizedRepresentative): v1.0 XSD plus the v1.2 eIDAS additions. */
export interface NaturalPerson {
  readonly kind: 'NaturalPerson';
  readonly levelOfAssurance: string | undefined;
  /** eIDAS identifier `XX/YY/ZZZ`, schemeID `eidas` (or `eidas2` in 2.0 EUDI testing). */
  readonly identifier: Identifier | undefined;
  readonly familyName: string | undefined;
  readonly givenName: string | undefined;
  /** xsd:date as written. */
  readonly dateOfBirth: string | undefined;
  readonly birthName: string | undefined;
  readonly placeOfBirth: string | undefined;
  readonly currentAddress: Address | undefined;
  readonly gender: string | undefined;
  readonly nationality: string | undefined;
  readonly countryOfBirth: string | undefined;
  readonly townOfBirth: string | undefined;
  readonly countryOfResidence: string | undefined;
  readonly phoneNumber: string | undefined;
  readonly emailAddress: string | undefined;
  readonly sectorSpecificAttributes: readonly SectorSpecificAttribute[];
}

/** `sdg:LegalPerson`. */
export interface LegalPerson {
  readonly kind: 'LegalPerson';
  readonly levelOfAssurance: string | undefined;
  /** eIDAS `LegalPersonIdentifier` `XX/YY/ZZZ`, schemeID `eidas`. */
  readonly legalPersonIdentifier: Identifier | undefined;
  /** Other identifiers (VAT, TAX, BusinessCode, LEI, EORI, SEED, SIC). */
  readonly identifiers: readonly Identifier[];
  readonly legalName: string | undefined;
  readonly registeredAddress: Address | undefined;
  readonly sectorSpecificAttributes: readonly SectorSpecificAttribute[];
}

export type Subject = NaturalPerson | LegalPerson;

export interface Requirement {
  readonly identifier: string | undefined;
  readonly names: readonly LocalizedText[];
  readonly descriptions: readonly LocalizedText[];
}

export interface EvidenceProviderClassification {
  readonly identifier: string | undefined;
  readonly type: string | undefined;
  readonly valueExpression: string | undefined;
  readonly descriptions: readonly LocalizedText[];
  /** The user's answer: the text of StringValue, DateValue or BooleanValue. */
  readonly supportedValue: { readonly kind: 'String' | 'Date' | 'Boolean'; readonly value: string } | undefined;
}

export interface DistributedAs {
  /** Media type, e.g. `application/pdf`. */
  readonly format: string | undefined;
  readonly conformsTo: string | undefined;
  /** v1.x only. */
  readonly transformation: string | undefined;
  /** v2.0: requested languages. */
  readonly languages: readonly string[];
  /** v2.0: `sdg:AssociatedDocumentRequest` values written in this distribution (schema order: last). */
  readonly associatedDocumentRequests?: readonly string[];
}

export interface DataServiceEvidenceType {
  readonly identifier: string | undefined;
  readonly evidenceTypeClassification: string | undefined;
  readonly titles: readonly LocalizedText[];
  readonly descriptions: readonly LocalizedText[];
  /** Exactly one in v1.x (R-EDM-REQ-C032); one or more in v2.0. */
  readonly distributedAs: readonly DistributedAs[];
  /** v2.0: `Annex`, `HumanReadableVersion`, `Translation`, over all distributions, first occurrence order. */
  readonly associatedDocumentRequests: readonly string[];
}

export interface QueryRequest {
  /** `urn:uuid:…` as written. */
  readonly id: string;
  readonly version: EdmVersion;
  /** Root `xml:lang` (1.x only). */
  readonly lang: string | undefined;
  readonly issueDateTime: string | undefined;
  /** Procedure code (e.g. `T2`) with its language in 1.x. */
  readonly procedure: LocalizedText | undefined;
  readonly previewLocation: string | undefined;
  /** v2.0 only: where the user returns after the preview. */
  readonly returnLocation: string | undefined;
  readonly possibilityForPreview: boolean | undefined;
  readonly explicitRequestGiven: boolean | undefined;
  readonly requirements: readonly Requirement[];
  /** The ER agent and, when an intermediary platform is used, the IP agent. */
  readonly evidenceRequesters: readonly Agent[];
  readonly evidenceProvider: Agent | undefined;
  readonly evidenceProviderClassifications: readonly EvidenceProviderClassification[];
  readonly subject: Subject | undefined;
  /** Natural-person representative (v1.x and v2.0). */
  readonly authorizedRepresentative: NaturalPerson | undefined;
  /** v2.0: a legal-person representative. */
  readonly authorizedRepresentativeLegalPerson: LegalPerson | undefined;
  readonly evidenceRequest: DataServiceEvidenceType | undefined;
}
