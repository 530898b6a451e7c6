/**
 * Typed input of the EDM response builders. Everything that varies per message (ids, times,
 * parties, evidence metadata) is passed in: the builders own no clock and no id generator.
 */
import type { Agent, EdmVersion, LegalPerson, LocalizedText, NaturalPerson, QueryRequest } from '../model.js';
import { AdapterError, type EdmErrorCode } from '../../errors.js';

/** What a response echoes from its request (notes §9). */
export interface RequestEcho {
  /** The request's `id` (`urn:uuid:…`), written as `requestId`. */
  readonly requestId: string;
  /** The request's SpecificationIdentifier: the answer speaks the same version. */
  readonly version: EdmVersion;
  /** The requester agent: only its Identifier and Name are written. */
  readonly evidenceRequester: Agent;
}

/** Part of the response every kind shares. */
export interface ResponseHeaderInput extends RequestEcho {
  /** `EvidenceResponseIdentifier`: a bare RFC 4122 UUID, unique per response. */
  readonly responseId: string;
  /** xsd:dateTime of issue (`IssueDateTime`; `Timestamp` of the exceptions of an error). */
  readonly issueDateTime: string;
}

/** v2.0 role of an evidence within the RegistryPackage (`urn:fdc:oots:classification:edm`). */
export type EvidenceRole = 'MainEvidence' | 'Annex' | 'HumanReadableVersion' | 'Translation';

export interface EvidenceDistribution {
  /** Media type (OOTSMediaTypes), e.g. `application/pdf`. */
  readonly format: string;
  readonly languages?: readonly string[];
  /** Data model URI; required for `application/xml` and `application/json` (R-EDM-RESP-C044a/b). */
  readonly conformsTo?: string;
  /** v1.x only; ignored for v2.0. */
  readonly transformation?: string;
}

export interface EvidenceInput {
  /** `rim:RegistryObject/@id`: `urn:uuid:…`. */
  readonly registryObjectId: string;
  /** `sdg:Evidence/sdg:Identifier`: a bare UUID. */
  readonly evidenceId: string;
  /** Minimum data set of the subject the evidence is about. */
  readonly isAbout: NaturalPerson | LegalPerson;
  /** Identifier (with schemeID) and names are written. */
  readonly issuingAuthority: Agent;
  readonly isConformantTo: {
    readonly evidenceTypeClassification: string;
    readonly titles: readonly LocalizedText[];
    readonly descriptions?: readonly LocalizedText[];
  };
  /** xsd:date. */
  readonly issuingDate: string;
  readonly distribution: EvidenceDistribution;
  readonly validityPeriod?: { readonly startDate: string; readonly endDate: string };
  /**
   * The AS4 attachment: `href` is `cid:<id>@<domain>`, the same as the ebMS PartInfo href. Keep
   * `<id>` to lowercase letters and digits (e.g. a UUID without hyphens): the v1.0 Schematron
   * checks `^cid:[a-z0-9]*@` (R-EDM-RESP-C042).
   */
  readonly repositoryItem: { readonly href: string; readonly title: string };
  /** v2.0: role in the package (default `MainEvidence`) and the id (`urn:uuid:…`) of its Classification. */
  readonly role?: EvidenceRole;
  readonly classificationId?: string;
  /**
   * v2.0: the documents associated with this (main) evidence, written after it in the same
   * package, each with the association that points at this evidence. Not written in v1.x.
   */
  readonly associated?: readonly AssociatedInput[];
}

/**
 * A v2.0 associated document (`HumanReadableVersion`, `Translation`, `Annex`): an ExtrinsicObject
 * whose `sdg:Evidence` carries only its Identifier and Distribution (R-EDM-RESP-S063 forbids the
 * rest), classified by its role, and the source of an association to its main evidence
 * (R-EDM-RESP-S050…S061).
 */
export interface AssociatedInput {
  readonly registryObjectId: string;
  readonly evidenceId: string;
  readonly role: Exclude<EvidenceRole, 'MainEvidence'>;
  readonly classificationId: string;
  /** Format and languages only: a data model (ConformsTo) is not written for an associated document. */
  readonly distribution: { readonly format: string; readonly languages?: readonly string[] };
  readonly repositoryItem: { readonly href: string; readonly title: string };
  /** `id` (`urn:uuid:…`) of the `rim:AssociationType` object from this document to its main evidence. */
  readonly associationId: string;
}

export interface QueryResponseInput extends ResponseHeaderInput {
  /** The EP agent (classification `EP` is written when the agent has none). */
  readonly evidenceProvider: Agent;
  /** Empty: a successful answer without evidence (subject unknown, user declined the preview). */
  readonly evidences: readonly EvidenceInput[];
  /** v2.0: `id` (`urn:uuid:…`) of the RegistryPackage that wraps the evidences; required when there are any. */
  readonly packageId?: string;
}

/** A deferred answer: status Unavailable, no evidence yet. */
export interface DeferredResponseInput extends ResponseHeaderInput {
  readonly evidenceProvider: Agent;
  /** xsd:dateTime from which the evidence will be available. */
  readonly responseAvailableDateTime: string;
}

export interface PreviewInput {
  /** `https://` URL of the preview space, unique per request. */
  readonly location: string;
  readonly description?: readonly LocalizedText[];
  /** v1.x only (R-EDM-ERR-C021, required beside PreviewLocation from 1.2.5); never written in v2.0. Default `GET`. */
  readonly method?: 'GET' | 'POST';
}

export interface ExceptionInput {
  readonly code: EdmErrorCode;
  /** Human message; defaults to the code-list name of `code`. */
  readonly message?: string;
  /** What went wrong, naming the rule ID or cause; never a stack trace or personal data. */
  readonly detail?: string;
  /** Only with `EDM:ERR:0002`: where the user previews the evidence. */
  readonly preview?: PreviewInput;
}

export interface ErrorResponseInput {
  /** Unknown only when the request could not be read at all (then every exception must be EDM:ERR:0003). */
  readonly requestId: string | undefined;
  readonly version: EdmVersion;
  readonly responseId: string;
  /** Timestamp of the exceptions. */
  readonly issueDateTime: string;
  /** The agent reporting the error (classification `ERRP` is written). */
  readonly errorProvider: Agent;
  /** Unknown only when the request could not be read. */
  readonly evidenceRequester: Agent | undefined;
  readonly exceptions: readonly ExceptionInput[];
}

/** Echo values derived from a parsed request: the agent classified `ER`, else the first requester. */
export function requestEcho(req: QueryRequest): RequestEcho {
  const requester = req.evidenceRequesters.find((a) => a.classification === 'ER') ?? req.evidenceRequesters[0];
  if (requester === undefined) {
    throw new AdapterError('ERR_EDM_INVALID', `request ${req.id} names no evidence requester`, {
      edmCode: 'EDM:ERR:0003',
    });
  }
  return { requestId: req.id, version: req.version, evidenceRequester: requester };
}
