/**
 * What later EDM releases change in the response rules (notes §8, "Known rule deltas"): value
 * sets that move with the version, and rules that only exist in 1.2.5 / 2.0.1. The 2.0.1
 * Schematron is not available offline; the v2.0 RegistryPackage rules R-EDM-RESP-S046…S066 are
 * implemented from the notes (§3 "2.0 packaging"), the oots-france v2.0 reference response and that
 * project's published reading of each assert (their descriptions below are paraphrased, not the
 * official text). R-EDM-RESP-S064 is not published in either line and is not implemented.
 */
import type { EdmVersion } from '../model.js';
import { NS } from '../xml/namespaces.js';
import type { XmlElement } from '../xml/tree.js';
import type { Rule, RuleContext } from './engine.js';
import {
  attr,
  ASSOCIATION_TYPE,
  each,
  kid,
  kids,
  norm,
  PACKAGE_TYPE,
  sdg,
  slotValuesOf,
  SR_HOST,
  URN_UUID_EXACT,
  viewRule,
  xsiType,
  type ResponseView,
} from './response-tree.js';

const V12: EdmVersion = 'oots-edm:v1.2';
const V20: EdmVersion = 'oots-edm:v2.0';

/**
 * Prefix of `sdg:ConformsTo` / `sdg:Transformation` (R-EDM-RESP-C022/C043): the April-2023 SR
 * published data models under `/distributions/`, later releases under `/datamodels/` (notes §8).
 * Both are accepted in every version, as the request rules (R-EDM-REQ-C034/C035) accept them: the
 * data model URI of a distribution is whatever the Semantic Repository registered for it.
 */
export const DATA_MODEL_URL = new RegExp(`^${SR_HOST}/(?:distributions|datamodels)/`);

const EDM_SCHEME = 'urn:fdc:oots:classification:edm';
const MAIN = 'MainEvidence';
const SUPPLEMENTARY = ['Annex', 'HumanReadableVersion', 'Translation'] as const;
type Supplementary = (typeof SUPPLEMENTARY)[number];
const NODES: ReadonlySet<string> = new Set([MAIN, ...SUPPLEMENTARY]);
const ASSOCIATION_TYPE_PREFIX = 'urn:oasis:names:tc:ebxml-regrep:AssociationType:';

const v2 = (id: string, description: string, check: (v: ResponseView, ctx: RuleContext) => void): Rule =>
  viewRule('QueryResponse', id, description, check, { versions: [V20] });

function classifications(o: XmlElement): XmlElement[] {
  return kids(o, NS.rim, 'Classification');
}

function classifiedAs(o: XmlElement, node: string, edmSchemeOnly: boolean): boolean {
  return classifications(o).some(
    (c) => attr(c, 'classificationNode') === node && (!edmSchemeOnly || attr(c, 'classificationScheme') === EDM_SCHEME),
  );
}

/** Objects of the nested lists, with the list (siblings) each sits in. */
function nested(v: ResponseView): { object: XmlElement; siblings: XmlElement[] }[] {
  const out: { object: XmlElement; siblings: XmlElement[] }[] = [];
  for (const list of v.nestedLists) {
    const siblings = kids(list, NS.rim, 'RegistryObject');
    for (const object of siblings) out.push({ object, siblings });
  }
  return out;
}

/** Associations in lists held by packages (where S052…S061 hang). */
function packagedAssociations(v: ResponseView): { object: XmlElement; siblings: XmlElement[] }[] {
  const out: { object: XmlElement; siblings: XmlElement[] }[] = [];
  for (const pkg of v.topObjects) {
    if (xsiType(pkg) !== PACKAGE_TYPE) continue;
    for (const list of kids(pkg, NS.rim, 'RegistryObjectList')) {
      const siblings = kids(list, NS.rim, 'RegistryObject');
      for (const object of siblings) if (xsiType(object) === ASSOCIATION_TYPE) out.push({ object, siblings });
    }
  }
  return out;
}

function sibling(siblings: XmlElement[], id: string | undefined): XmlElement[] {
  return id === undefined ? [] : siblings.filter((s) => attr(s, 'id') === id);
}

function evidenceOf(o: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (const sv of slotValuesOf(o, 'EvidenceMetadata')) out.push(...sdg(sv, 'Evidence'));
  return out;
}

/** Association end rules S052…S058: the end named by `end` must be classified `node` under the EDM scheme. */
function endRule(id: string, type: Supplementary, end: 'sourceObject' | 'targetObject', node: string): Rule {
  return v2(
    id,
    `An association of type '${ASSOCIATION_TYPE_PREFIX}${type}' MUST have as ${end === 'sourceObject' ? 'source' : 'target'} an object of its package classified '${node}' (scheme '${EDM_SCHEME}').`,
    (v, ctx) => {
      for (const { object, siblings } of packagedAssociations(v)) {
        if (attr(object, 'type') !== ASSOCIATION_TYPE_PREFIX + type) continue;
        if (!sibling(siblings, attr(object, end)).some((s) => classifiedAs(s, node, true))) ctx.report(object);
      }
    },
  );
}

/** Typing rules S059…S061: an association from a `node` object to the MainEvidence must be typed `node`. */
function typingRule(id: string, node: Supplementary): Rule {
  return v2(
    id,
    `An association whose source is classified '${node}' and whose target is the 'MainEvidence' MUST have type '${ASSOCIATION_TYPE_PREFIX}${node}'.`,
    (v, ctx) => {
      for (const { object, siblings } of packagedAssociations(v)) {
        const src = attr(object, 'sourceObject');
        const tgt = attr(object, 'targetObject');
        if (src === undefined || tgt === undefined) continue;
        if (!sibling(siblings, tgt).some((s) => classifiedAs(s, MAIN, false))) continue;
        if (!sibling(siblings, src).some((s) => classifiedAs(s, node, false))) continue;
        if (attr(object, 'type') !== ASSOCIATION_TYPE_PREFIX + node) ctx.report(object);
      }
    },
  );
}

const MAIN_EVIDENCE_ELEMENTS = [
  'Identifier',
  'IssuingDate',
  'IsAbout',
  'IssuingAuthority',
  'IsConformantTo',
  'Distribution',
];

function closedChildren(id: string, person: string, admitted: readonly string[]): Rule {
  return viewRule(
    'QueryResponse',
    id,
    `The 'sdg:${person}' of 'sdg:IsAbout' of an evidence MUST not contain other elements than ${admitted.map((a) => `'sdg:${a}'`).join(', ')}.`,
    (v, ctx) => {
      for (const { evidence } of v.evidences(ctx.version)) {
        for (const about of sdg(evidence, 'IsAbout')) {
          each(ctx, sdg(about, person), (p) => p.children.every((c) => c.ns === NS.sdg && admitted.includes(c.local)));
        }
      }
    },
    { versions: [V12, V20] },
  );
}

export const RESPONSE_VERSION_RULES: readonly Rule[] = [
  // 1.2.5 and 2.0.1: the subject confirmed in a response carries the minimum data set only.
  closedChildren('R-EDM-RESP-S041', 'NaturalPerson', [
    'Identifier',
    'FamilyName',
    'GivenName',
    'DateOfBirth',
    'PlaceOfBirth',
  ]),
  closedChildren('R-EDM-RESP-S042', 'LegalPerson', ['LegalPersonIdentifier', 'LegalName']),
  v2(
    'R-EDM-RESP-S066',
    "The 'rim:RegistryObject's of the response's 'rim:RegistryObjectList' MUST be of type 'rim:RegistryPackageType'.",
    (v, ctx) => each(ctx, v.topObjects, (o) => xsiType(o) === PACKAGE_TYPE),
  ),
  v2('R-EDM-RESP-S046', "A 'rim:RegistryPackage' MUST contain exactly one 'rim:RegistryObjectList'.", (v, ctx) =>
    each(
      ctx,
      v.topObjects.filter((o) => xsiType(o) === PACKAGE_TYPE),
      (p) => kids(p, NS.rim, 'RegistryObjectList').length === 1,
    ),
  ),
  v2(
    'R-EDM-RESP-S047',
    "The 'rim:RegistryObjectList' of a package MUST contain at least one object classified 'MainEvidence'.",
    (v, ctx) =>
      each(ctx, v.nestedLists, (l) => kids(l, NS.rim, 'RegistryObject').some((o) => classifiedAs(o, MAIN, false))),
  ),
  v2(
    'R-EDM-RESP-S048',
    `Every object of a package other than an association MUST carry exactly one 'rim:Classification' of scheme '${EDM_SCHEME}'.`,
    (v, ctx) =>
      each(
        ctx,
        v.nestedObjects.filter((o) => xsiType(o) !== ASSOCIATION_TYPE),
        (o) => classifications(o).filter((c) => attr(c, 'classificationScheme') === EDM_SCHEME).length === 1,
      ),
  ),
  v2(
    'R-EDM-RESP-S049',
    `The 'classificationNode' of a classification of scheme '${EDM_SCHEME}' MUST be 'MainEvidence', 'Annex', 'HumanReadableVersion' or 'Translation'.`,
    (v, ctx) => {
      for (const o of v.nestedObjects) {
        each(
          ctx,
          classifications(o).filter((c) => attr(c, 'classificationScheme') === EDM_SCHEME),
          (c) => NODES.has(attr(c, 'classificationNode') ?? ''),
        );
      }
    },
  ),
  v2(
    'R-EDM-RESP-S050',
    'An Annex, HumanReadableVersion or Translation MUST be the source of an association in its package.',
    (v, ctx) => {
      for (const { object, siblings } of nested(v)) {
        for (const c of classifications(object)) {
          if (!(SUPPLEMENTARY as readonly string[]).includes(attr(c, 'classificationNode') ?? '')) continue;
          const id = attr(object, 'id');
          const linked =
            id !== undefined && siblings.some((s) => xsiType(s) === ASSOCIATION_TYPE && attr(s, 'sourceObject') === id);
          if (!linked) ctx.report(c);
        }
      }
    },
  ),
  v2('R-EDM-RESP-S051', "An association MUST have a 'sourceObject' attribute.", (v, ctx) =>
    each(
      ctx,
      v.nestedObjects.filter((o) => xsiType(o) === ASSOCIATION_TYPE),
      (o) => attr(o, 'sourceObject') !== undefined,
    ),
  ),
  endRule('R-EDM-RESP-S052', 'Annex', 'sourceObject', 'Annex'),
  endRule('R-EDM-RESP-S053', 'HumanReadableVersion', 'sourceObject', 'HumanReadableVersion'),
  endRule('R-EDM-RESP-S054', 'Translation', 'sourceObject', 'Translation'),
  v2('R-EDM-RESP-S055', "An association MUST have a 'targetObject' attribute.", (v, ctx) =>
    each(
      ctx,
      v.nestedObjects.filter((o) => xsiType(o) === ASSOCIATION_TYPE),
      (o) => attr(o, 'targetObject') !== undefined,
    ),
  ),
  endRule('R-EDM-RESP-S056', 'Annex', 'targetObject', MAIN),
  endRule('R-EDM-RESP-S057', 'HumanReadableVersion', 'targetObject', MAIN),
  endRule('R-EDM-RESP-S058', 'Translation', 'targetObject', MAIN),
  typingRule('R-EDM-RESP-S059', 'Annex'),
  typingRule('R-EDM-RESP-S060', 'Translation'),
  typingRule('R-EDM-RESP-S061', 'HumanReadableVersion'),
  v2(
    'R-EDM-RESP-S062',
    "The 'sdg:Evidence' of the 'MainEvidence' MUST contain 'sdg:Identifier', 'sdg:IssuingDate', 'sdg:IsAbout', 'sdg:IssuingAuthority', 'sdg:IsConformantTo' and 'sdg:Distribution'.",
    (v, ctx) => {
      for (const o of v.nestedObjects) {
        for (const c of classifications(o)) {
          if (attr(c, 'classificationNode') !== MAIN) continue;
          const ev = evidenceOf(o);
          if (!ev.some((e) => MAIN_EVIDENCE_ELEMENTS.every((n) => kid(e, NS.sdg, n) !== undefined))) ctx.report(c);
        }
      }
    },
  ),
  v2(
    'R-EDM-RESP-S063',
    "The 'sdg:Evidence' of an Annex, HumanReadableVersion or Translation MUST NOT contain 'sdg:IsAbout', 'sdg:IssuingAuthority', 'sdg:IsConformantTo', 'sdg:ValidityPeriod', 'sdg:IssuingDate' or 'sdg:Distribution/sdg:ConformsTo'.",
    (v, ctx) => {
      for (const o of v.nestedObjects) {
        for (const c of classifications(o)) {
          if (!(SUPPLEMENTARY as readonly string[]).includes(attr(c, 'classificationNode') ?? '')) continue;
          const bad = evidenceOf(o).some(
            (e) =>
              ['IsAbout', 'IssuingAuthority', 'IsConformantTo', 'ValidityPeriod', 'IssuingDate'].some(
                (n) => kid(e, NS.sdg, n) !== undefined,
              ) || sdg(e, 'Distribution').some((d) => kid(d, NS.sdg, 'ConformsTo') !== undefined),
          );
          if (bad) ctx.report(c);
        }
      }
    },
  ),
  v2(
    'R-EDM-RESP-S065',
    "The 'id' attribute of a 'rim:Classification' MUST be a UUID (RFC 4122) starting with prefix \"urn:uuid:\".",
    (v, ctx) => {
      for (const o of v.nestedObjects) {
        each(ctx, classifications(o), (c) => {
          const id = attr(c, 'id');
          return id === undefined || URN_UUID_EXACT.test(id.trim());
        });
      }
    },
  ),
  // 2.0.1: a PDF distribution names no data model.
  v2(
    'R-EDM-RESP-C050',
    "An 'sdg:Distribution' whose 'sdg:Format' is 'application/pdf' MUST NOT contain 'sdg:ConformsTo'.",
    (v, ctx) => {
      for (const { evidence } of v.evidences(ctx.version)) {
        each(
          ctx,
          sdg(evidence, 'Distribution'),
          (d) =>
            !(
              sdg(d, 'Format').some((f) => norm(f.text) === 'application/pdf') &&
              kid(d, NS.sdg, 'ConformsTo') !== undefined
            ),
        );
      }
    },
  ),
];
