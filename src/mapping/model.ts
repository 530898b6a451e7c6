/**
 * An evidence mapping, as data controllers write it in `mappings/*.yaml` (schema:
 * `schemas/mapping.schema.json`): which OOTS evidence type it serves, where the record lives on
 * DAGR, how the subject is looked up and matched, and how the evidence is laid out.
 */
import type { LevelOfAssurance } from '../edm/loa.js';

/** A text in Latvian and English (both required in mapping files). */
export interface Bilingual {
  readonly lv: string;
  readonly en: string;
}

export type SubjectKind = 'NaturalPerson' | 'LegalPerson';

/**
 * Where the DAGR lookup key comes from in the request:
 * - `eidas-national`: the national part of an eIDAS identifier issued by Latvia (`LV/XX/<code>`);
 *   a personal code or registration number.
 * - `eidas-full`: the whole eIDAS identifier as written (test datasets keyed by it).
 * - `legal-identifier`: a LegalPerson `sdg:Identifier` with the given schemeID (e.g. `VAT`), LV prefix stripped.
 */
export type LookupSource = 'eidas-national' | 'eidas-full' | 'legal-identifier';

/** Request attributes that can be required to match the DAGR record. */
export type MatchAttribute = 'FamilyName' | 'GivenName' | 'DateOfBirth' | 'LegalName';

/**
 * How a natural person whose eIDAS identifier was not issued by Latvia is searched for on DAGR
 * (docs/matching.md): by the eIDAS minimum data set, record field per attribute. FamilyName,
 * GivenName and DateOfBirth are always searched; PlaceOfBirth and CountryOfBirth narrow the search
 * when the request carries them. `person` is the record field that tells people apart (two records
 * with different values are two people: an ambiguous match).
 */
export interface ForeignLookup {
  readonly by: 'attributes';
  readonly person: string;
  readonly fields: {
    readonly FamilyName: string;
    readonly GivenName: string;
    readonly DateOfBirth: string;
    readonly PlaceOfBirth?: string;
    readonly CountryOfBirth?: string;
  };
}

export interface FieldRef {
  /** Dot path into the DAGR record, e.g. `Birth.Place` or `Persons.0.Name`. */
  readonly from: string;
}

export interface XmlField extends FieldRef {
  /** Element path below the root, `/`-separated, e.g. `Child/FamilyName`. */
  readonly path: string;
  /** Omit the element when the record has no value (default false: missing value is a mapping error). */
  readonly optional?: boolean;
}

export interface XmlDistribution {
  readonly format: 'application/xml';
  /** Data model URI in the Semantic Repository (required for XML: R-EDM-RESP-C044a). */
  readonly conformsTo: string;
  readonly transformation?: string;
  readonly xml: {
    readonly root: string;
    readonly namespace: string;
    readonly fields: readonly XmlField[];
  };
}

export interface PdfField extends FieldRef {
  readonly label: Bilingual;
  readonly optional?: boolean;
}

export interface PdfDistribution {
  readonly format: 'application/pdf';
  readonly pdf: {
    readonly sections: readonly { readonly title: Bilingual; readonly fields: readonly PdfField[] }[];
  };
}

export type Distribution = XmlDistribution | PdfDistribution;

export interface EvidenceMapping {
  /** Stable id: the file name without extension. */
  readonly id: string;
  /** Version of this mapping (`version:` in the file), recorded with each response. */
  readonly version: string;
  /** Evidence type classification URIs this mapping serves (either SR host is accepted on input). */
  readonly evidenceTypes: readonly string[];
  readonly title: Bilingual;
  readonly description?: Bilingual;
  readonly issuingAuthority: {
    readonly id: string;
    readonly scheme: string;
    readonly name: Bilingual;
  };
  readonly subject: SubjectKind;
  readonly dagr: {
    /** DAGR `service_name`. */
    readonly service: string;
    /** VIRSIS permission number, sent as `X-DAGR-Permission`. */
    readonly permission: string;
    readonly lookup: {
      readonly from: LookupSource;
      /** For `legal-identifier`: the schemeID to take (`VAT`, `BusinessCode`, ...). */
      readonly scheme?: string;
      /** With `eidas-national`: search foreign nationals by attributes (absent: they are not found). */
      readonly foreignNationals?: ForeignLookup;
    };
    /** Record fields compared with the request (record field path per attribute). */
    readonly match: readonly { readonly attribute: MatchAttribute; readonly field: string }[];
    /** Name comparison: `exact` (case-insensitive) or `fold-diacritics` (Bērziņa = BERZINA). */
    readonly nameMatching: 'exact' | 'fold-diacritics';
    /** Record field holding the record's last update time, shown on the evidence. */
    readonly updatedAtField?: string;
  };
  readonly distributions: readonly Distribution[];
  /** Validity of the evidence in days from issue, if it has one. */
  readonly validityDays?: number;
  readonly preview?: { readonly description: Bilingual };
  /** The lowest level of assurance this evidence is given at (default: mapping/assurance.ts). */
  readonly levelOfAssurance?: LevelOfAssurance;
  /** LegalPerson only: the DAGR dataset of who may represent the company (the preview checks it). */
  readonly representation?: { readonly service: string; readonly permission: string };
  /**
   * What a lookup returning several records answers. `several: true`: every matching record is an
   * evidence of its own (diplomas, residence periods); otherwise only the first record. `orderBy`
   * (a record field; ISO dates and numbers compare as such) orders them, `ascending` by default.
   */
  readonly records?: {
    readonly several?: boolean;
    readonly orderBy?: string;
    readonly order?: 'ascending' | 'descending';
  };
  /** The languages this mapping's renderings exist in, the default first (absent: `[lv, en]`). */
  readonly languages?: readonly RenderLanguage[];
  /**
   * v2.0 associated documents offered with each main evidence (PDF renderings of the same record):
   * `HumanReadableVersion` (in the requested languages) and `Translation` (one per language the
   * main evidence is not in). Both need a PDF distribution.
   */
  readonly associatedDocuments?: readonly OfferedDocument[];
  /**
   * A register that answers later (a nightly batch, a clerk): the first request is answered
   * "later" (status Unavailable) and the record is looked up `afterSeconds` later
   * (src/exchange/deferred.ts).
   */
  readonly deferral?: { readonly afterSeconds: number };
}

/** A language the renderers write. */
export type RenderLanguage = 'lv' | 'en';

/** An associated document a mapping can offer (EDM v2.0 `AssociatedDocumentRequest`, less `Annex`). */
export type OfferedDocument = 'HumanReadableVersion' | 'Translation';
