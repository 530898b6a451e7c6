/**
 * Successful and deferred `query:QueryResponse` (notes §3). v1.x lists one flat
 * ExtrinsicObject per evidence; v2.0 wraps them in a RegistryPackage and classifies each one
 * (`urn:fdc:oots:classification:edm`).
 */
import { generationOf } from '../model.js';
import type {
  AssociatedInput,
  DeferredResponseInput,
  EvidenceInput,
  QueryResponseInput,
  ResponseHeaderInput,
} from './types.js';
import {
  agent,
  type Builder,
  dateTimeSlot,
  responseRoot,
  sdgElement,
  sdgMultilingual,
  sdgOptional,
  slotValue,
  STATUS,
  stringSlot,
  subject,
} from './xml-writer.js';
import { serializeXml } from '../xml/write.js';

export const EDM_CLASSIFICATION_SCHEME = 'urn:fdc:oots:classification:edm';

/** A successful response carrying `input.evidences` (none: the empty success of Projectathon TC02/TC08). */
export function buildQueryResponse(input: QueryResponseInput): string {
  const v2 = generationOf(input.version) === 'v2';
  if (v2 && input.evidences.length > 0 && input.packageId === undefined) {
    throw new Error('a v2.0 response with evidences needs packageId (the RegistryPackage id)');
  }
  const root = responseRoot(STATUS.success, input.requestId);
  header(root, input, undefined);
  parties(root, input);
  const list = root.ele('rim:RegistryObjectList');
  if (input.evidences.length === 0) return serializeXml(root);
  if (!v2) {
    for (const e of input.evidences) evidenceObject(list, e, input);
    return serializeXml(root);
  }
  const pkg = list
    .ele('rim:RegistryObject')
    .att('xsi:type', 'rim:RegistryPackageType')
    .att('id', input.packageId!);
  const inner = pkg.ele('rim:RegistryObjectList');
  for (const e of input.evidences) {
    evidenceObject(inner, e, input);
    for (const a of e.associated ?? []) associatedObject(inner, a, e.registryObjectId);
  }
  return serializeXml(root);
}

export const ASSOCIATION_TYPE_PREFIX = 'urn:oasis:names:tc:ebxml-regrep:AssociationType:';

/** A v2.0 associated document and its association to the main evidence `mainId` (notes §3 "2.0 packaging"). */
function associatedObject(list: Builder, a: AssociatedInput, mainId: string): void {
  const ro = list
    .ele('rim:RegistryObject')
    .att('xsi:type', 'rim:ExtrinsicObjectType')
    .att('id', a.registryObjectId);
  const ev = sdgElement(slotValue(ro, 'EvidenceMetadata', 'AnyValueType'), 'Evidence');
  sdgElement(ev, 'Identifier', a.evidenceId);
  const dist = sdgElement(ev, 'Distribution');
  sdgElement(dist, 'Format', a.distribution.format);
  for (const lang of a.distribution.languages ?? []) sdgElement(dist, 'Language', lang);
  ro.ele('rim:Classification')
    .att('id', a.classificationId)
    .att('classificationScheme', EDM_CLASSIFICATION_SCHEME)
    .att('classificationNode', a.role);
  ro.ele('rim:RepositoryItemRef')
    .att('xlink:href', a.repositoryItem.href)
    .att('xlink:title', a.repositoryItem.title);
  list
    .ele('rim:RegistryObject')
    .att('xsi:type', 'rim:AssociationType')
    .att('id', a.associationId)
    .att('sourceObject', a.registryObjectId)
    .att('targetObject', mainId)
    .att('type', ASSOCIATION_TYPE_PREFIX + a.role);
}

/** Status Unavailable with `ResponseAvailableDateTime` and an empty RegistryObjectList (R-EDM-RESP-S006/S014). */
export function buildDeferredResponse(input: DeferredResponseInput): string {
  const root = responseRoot(STATUS.unavailable, input.requestId);
  header(root, input, input.responseAvailableDateTime);
  parties(root, input);
  root.ele('rim:RegistryObjectList');
  return serializeXml(root);
}

function header(root: Builder, input: ResponseHeaderInput, availableAt: string | undefined): void {
  stringSlot(root, 'SpecificationIdentifier', input.version);
  stringSlot(root, 'EvidenceResponseIdentifier', input.responseId);
  dateTimeSlot(root, 'IssueDateTime', input.issueDateTime);
  if (availableAt !== undefined) dateTimeSlot(root, 'ResponseAvailableDateTime', availableAt);
}

function parties(
  root: Builder,
  input: ResponseHeaderInput & { evidenceProvider: QueryResponseInput['evidenceProvider'] },
): void {
  const providers = slotValue(root, 'EvidenceProvider', 'CollectionValueType').att(
    'collectionType',
    'urn:oasis:names:tc:ebxml-regrep:CollectionType:Set',
  );
  const element = providers.ele('rim:Element').att('xsi:type', 'rim:AnyValueType');
  agent(element, input.evidenceProvider, { full: true, classification: input.evidenceProvider.classification ?? 'EP' });
  agent(slotValue(root, 'EvidenceRequester', 'AnyValueType'), input.evidenceRequester, { full: false });
}

function evidenceObject(list: Builder, e: EvidenceInput, input: QueryResponseInput): void {
  const v2 = generationOf(input.version) === 'v2';
  const ro = list
    .ele('rim:RegistryObject')
    .att('xsi:type', 'rim:ExtrinsicObjectType')
    .att('id', e.registryObjectId);
  const ev = sdgElement(slotValue(ro, 'EvidenceMetadata', 'AnyValueType'), 'Evidence');
  sdgElement(ev, 'Identifier', e.evidenceId);
  subject(sdgElement(ev, 'IsAbout'), e.isAbout, input.version);
  agent(ev, e.issuingAuthority, { full: false, element: 'IssuingAuthority' });
  const conformant = sdgElement(ev, 'IsConformantTo');
  sdgElement(conformant, 'EvidenceTypeClassification', e.isConformantTo.evidenceTypeClassification);
  sdgMultilingual(conformant, 'Title', e.isConformantTo.titles);
  sdgMultilingual(conformant, 'Description', e.isConformantTo.descriptions ?? []);
  sdgElement(ev, 'IssuingDate', e.issuingDate);
  // R-EDM-RESP-C044a/b: structured evidence names its data model.
  if (/^application\/(xml|json)$/.test(e.distribution.format) && e.distribution.conformsTo === undefined) {
    throw new Error(`evidence ${e.registryObjectId} is ${e.distribution.format} and needs distribution.conformsTo`);
  }
  const dist = sdgElement(ev, 'Distribution');
  sdgElement(dist, 'Format', e.distribution.format);
  for (const lang of e.distribution.languages ?? []) sdgElement(dist, 'Language', lang);
  sdgOptional(dist, 'ConformsTo', e.distribution.conformsTo);
  // Transformation was removed in v2.0.
  if (!v2) sdgOptional(dist, 'Transformation', e.distribution.transformation);
  if (e.validityPeriod !== undefined) {
    const period = sdgElement(ev, 'ValidityPeriod');
    sdgElement(period, 'StartDate', e.validityPeriod.startDate);
    sdgElement(period, 'EndDate', e.validityPeriod.endDate);
  }
  if (v2) {
    if (e.classificationId === undefined) throw new Error(`v2.0 evidence ${e.registryObjectId} needs classificationId`);
    ro.ele('rim:Classification')
      .att('id', e.classificationId)
      .att('classificationScheme', EDM_CLASSIFICATION_SCHEME)
      .att('classificationNode', e.role ?? 'MainEvidence');
  }
  ro.ele('rim:RepositoryItemRef')
    .att('xlink:href', e.repositoryItem.href)
    .att('xlink:title', e.repositoryItem.title);
}
