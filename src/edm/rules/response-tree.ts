/**
 * Shared reading of a `query:QueryResponse` (success and error alike) for the response and error
 * rule sets: the top-level slots, exceptions and registry objects, indexed once per document and
 * cached, so that no rule scans the whole tree again. Plus the small value tests the official
 * Schematron asserts repeat (UUID, date shapes, SR hosts, code-list membership).
 */
import type { EdmVersion } from '../model.js';
import type { Severity } from '../violation.js';
import { NS } from '../xml/namespaces.js';
import { resolveQName, type XmlElement } from '../xml/tree.js';
import type { MessageKind, Rule, RuleContext } from './engine.js';

/** `rim:RegistryObject` xsi:type values written by the EDM (compared as written, like the Schematron). */
export const PACKAGE_TYPE = 'rim:RegistryPackageType';
export const ASSOCIATION_TYPE = 'rim:AssociationType';

export interface EvidenceEntry {
  /** The `rim:RegistryObject` (ExtrinsicObject) carrying the evidence. */
  readonly object: XmlElement;
  readonly evidence: XmlElement;
}

export interface ResponseView {
  readonly root: XmlElement;
  /** True when the root is `query:QueryResponse`; every other rule is silent otherwise. */
  readonly isResponse: boolean;
  readonly status: string | undefined;
  /** Top-level `rim:Slot`s, in document order. */
  readonly slots: readonly XmlElement[];
  /** Top-level `rs:Exception`s. */
  readonly exceptions: readonly XmlElement[];
  /** Top-level `rim:RegistryObjectList`s. */
  readonly objectLists: readonly XmlElement[];
  /** `rim:RegistryObject`s of the top-level lists. */
  readonly topObjects: readonly XmlElement[];
  /** `rim:RegistryObjectList`s held by top-level objects (v2.0 packages). */
  readonly nestedLists: readonly XmlElement[];
  /** `rim:RegistryObject`s of the nested lists. */
  readonly nestedObjects: readonly XmlElement[];
  /** Top-level slots called `name`. */
  slotsNamed(name: string): readonly XmlElement[];
  /** The objects that carry evidence: flat in v1.x, inside packages (not associations) in v2.0. */
  documentObjects(version: EdmVersion | undefined): readonly XmlElement[];
  /** `sdg:Evidence` of each document object's `EvidenceMetadata` slot. */
  evidences(version: EdmVersion | undefined): readonly EvidenceEntry[];
  /** Computes `make()` once per document for `key`: lets rules share derived element lists. */
  memo<T>(key: string, make: () => T): T;
}

const cache = new WeakMap<XmlElement, ResponseView>();

/** The indexed view of `root`, built on first use and reused by every rule of the same run. */
export function viewOf(root: XmlElement): ResponseView {
  const hit = cache.get(root);
  if (hit !== undefined) return hit;
  const view = buildView(root);
  cache.set(root, view);
  return view;
}

function buildView(root: XmlElement): ResponseView {
  const isResponse = root.ns === NS.query && root.local === 'QueryResponse';
  const slots: XmlElement[] = [];
  const exceptions: XmlElement[] = [];
  const objectLists: XmlElement[] = [];
  const topObjects: XmlElement[] = [];
  const nestedLists: XmlElement[] = [];
  const nestedObjects: XmlElement[] = [];
  const byName = new Map<string, XmlElement[]>();
  if (isResponse) {
    for (const c of root.children) {
      if (c.ns === NS.rim && c.local === 'Slot') {
        slots.push(c);
        const name = attr(c, 'name');
        if (name !== undefined) {
          const list = byName.get(name);
          if (list === undefined) byName.set(name, [c]);
          else list.push(c);
        }
      } else if (c.ns === NS.rs && c.local === 'Exception') {
        exceptions.push(c);
      } else if (c.ns === NS.rim && c.local === 'RegistryObjectList') {
        objectLists.push(c);
        for (const o of c.children) if (o.ns === NS.rim && o.local === 'RegistryObject') topObjects.push(o);
      }
    }
    for (const o of topObjects) {
      for (const l of o.children) {
        if (l.ns !== NS.rim || l.local !== 'RegistryObjectList') continue;
        nestedLists.push(l);
        for (const n of l.children) if (n.ns === NS.rim && n.local === 'RegistryObject') nestedObjects.push(n);
      }
    }
  }
  const packagedDocs = nestedObjects.filter((o) => xsiType(o) !== ASSOCIATION_TYPE);
  const evidenceCache = new Map<boolean, EvidenceEntry[]>();
  const memos = new Map<string, unknown>();
  const docs = (version: EdmVersion | undefined): readonly XmlElement[] =>
    isPackaged(version) ? packagedDocs : topObjects;
  return {
    root,
    isResponse,
    status: attr(root, 'status'),
    slots,
    exceptions,
    objectLists,
    topObjects,
    nestedLists,
    nestedObjects,
    slotsNamed: (name) => byName.get(name) ?? [],
    memo<T>(key: string, make: () => T): T {
      if (memos.has(key)) return memos.get(key) as T;
      const value = make();
      memos.set(key, value);
      return value;
    },
    documentObjects: docs,
    evidences(version) {
      const packaged = isPackaged(version);
      const hit = evidenceCache.get(packaged);
      if (hit !== undefined) return hit;
      const out: EvidenceEntry[] = [];
      for (const object of docs(version)) {
        for (const value of slotValuesOf(object, 'EvidenceMetadata')) {
          for (const e of value.children)
            if (e.ns === NS.sdg && e.local === 'Evidence') out.push({ object, evidence: e });
        }
      }
      evidenceCache.set(packaged, out);
      return out;
    },
  };
}

/** v2.0 wraps evidence objects in a `rim:RegistryPackage` (notes §3 "2.0 packaging"). */
export function isPackaged(version: EdmVersion | undefined): boolean {
  return version === 'oots-edm:v2.0';
}

export function isV2(ctx: RuleContext): boolean {
  return ctx.version === 'oots-edm:v2.0';
}

// ---------------------------------------------------------------- element helpers

/** Attribute value by namespace and local name (a plain loop: rules call this on every element they visit). */
export function attr(el: XmlElement, local: string, ns = ''): string | undefined {
  const attrs = el.attrs;
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs[i]!;
    if (a.local === local && a.ns === ns) return a.value;
  }
  return undefined;
}

export function kids(el: XmlElement, ns: string, local: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) if (c.local === local && c.ns === ns) out.push(c);
  return out;
}

export function kid(el: XmlElement, ns: string, local: string): XmlElement | undefined {
  for (const c of el.children) if (c.local === local && c.ns === ns) return c;
  return undefined;
}

export function sdg(el: XmlElement, local: string): XmlElement[] {
  return kids(el, NS.sdg, local);
}

/** `rim:Slot[@name=name]` children of `el`. */
export function slotsOf(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) if (c.local === 'Slot' && c.ns === NS.rim && attr(c, 'name') === name) out.push(c);
  return out;
}

/** Every `rim:Slot` child of `el`. */
export function allSlots(el: XmlElement): XmlElement[] {
  return kids(el, NS.rim, 'Slot');
}

/** `rim:Slot[@name=name]/rim:SlotValue` under `el`. */
export function slotValuesOf(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const s of slotsOf(el, name))
    for (const v of s.children) if (v.local === 'SlotValue' && v.ns === NS.rim) out.push(v);
  return out;
}

/** SlotValues of the given top-level slots. */
export function valuesOfSlots(slots: readonly XmlElement[]): XmlElement[] {
  const out: XmlElement[] = [];
  for (const s of slots) for (const v of s.children) if (v.local === 'SlotValue' && v.ns === NS.rim) out.push(v);
  return out;
}

export function xsiType(el: XmlElement): string | undefined {
  return attr(el, 'type', NS.xsi);
}

/** `@xsi:type` resolved against the element's namespace scope. */
export function resolveType(el: XmlElement): { ns: string; local: string } | undefined {
  const t = xsiType(el);
  return t === undefined ? undefined : resolveQName(el, t.trim());
}

/** `substring-after(@xsi:type, ':')`, the way the official asserts compare slot value types. */
export function typeLocal(el: XmlElement): string {
  const t = xsiType(el) ?? '';
  const i = t.indexOf(':');
  return i < 0 ? '' : t.slice(i + 1);
}

/** XPath `normalize-space`. */
export function norm(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** XPath string value (all descendant text, in order). */
export function stringValue(el: XmlElement): string {
  if (el.children.length === 0) return el.text;
  let s = el.text;
  for (const c of el.children) s += stringValue(c);
  return s;
}

// ---------------------------------------------------------------- value tests (official regexes)

const UUID = '[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}';
/** `matches(normalize-space(.), 'urn:uuid:<uuid>$', 'i')`: unanchored at the start, as published. */
export const URN_UUID_END = new RegExp(`urn:uuid:${UUID}$`, 'i');
/** `matches(normalize-space(.), '<uuid>$', 'i')`. */
export const UUID_END = new RegExp(`${UUID}$`, 'i');
/** A whole `urn:uuid:<uuid>` (2.0.1 RegistryPackage rules compare the trimmed value end to end). */
export const URN_UUID_EXACT = new RegExp(`^urn:uuid:${UUID}$`, 'i');
/** xsd:dateTime shape the official asserts look for (not anchored, seconds precision). */
export const DATE_TIME_SHAPE = /[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}/i;
export const DATE_SHAPE = /[0-9]{4}-[0-9]{2}-[0-9]{2}/;

/** Both Semantic Repository hosts: the April-2023 snapshot's and the final releases'. */
export const SR_HOST = 'https://sr\\.oots\\.tech\\.(?:ec\\.)?europa\\.eu';
export const EVIDENCE_TYPE_CLASSIFICATION = new RegExp(`${SR_HOST}/evidencetypeclassifications/[a-z]{2}/${UUID}$`, 'i');

/** Severity URNs are accepted under both hosts; this maps the final host to the snapshot's. */
export function snapshotHost(urn: string): string {
  return urn.replace(/^urn:sr\.oots\.tech\.ec\.europa\.eu:/, 'urn:sr.oots.tech.europa.eu:');
}
export const SEVERITY_ERROR = 'urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error';
export const SEVERITY_PREVIEW_REQUIRED =
  'urn:sr.oots.tech.europa.eu:codes:ErrorSeverity:EDMErrorResponse:PreviewRequired';
export const SEVERITY_ADDITIONAL_INPUT =
  'urn:sr.oots.tech.europa.eu:codes:ErrorSeverity:DSDErrorResponse:AdditionalInput';

const EAS_PREFIX = 'urn:cef.eu:names:identifier:EAS:';
const UNREGISTERED_PREFIX = 'urn:oasis:names:tc:ebcore:partyid-type:unregistered';

/** An agent `schemeID` is an EAS code with its prefix, or an ebCore unregistered party type. */
export function isEasScheme(schemeID: string, easCodes: ReadonlySet<string>): boolean {
  if (schemeID.startsWith(UNREGISTERED_PREFIX)) return true;
  return schemeID.startsWith(EAS_PREFIX) && easCodes.has(schemeID.slice(EAS_PREFIX.length));
}

// ---------------------------------------------------------------- rule definition

export interface RuleOptions {
  readonly severity?: Severity;
  readonly versions?: readonly EdmVersion[];
}

/** A rule whose check receives the indexed view; it stays silent when the root is not a QueryResponse. */
export function viewRule(
  kind: MessageKind,
  id: string,
  description: string,
  check: (v: ResponseView, ctx: RuleContext) => void,
  options: RuleOptions = {},
): Rule {
  return {
    id,
    kind,
    severity: options.severity ?? 'error',
    description,
    ...(options.versions === undefined ? {} : { versions: options.versions }),
    check(ctx) {
      const v = viewOf(ctx.root);
      if (v.isResponse) check(v, ctx);
    },
  };
}

/** Reports `at` for every element of `els` failing `ok`. */
export function each(
  ctx: RuleContext,
  els: Iterable<XmlElement>,
  ok: (el: XmlElement) => boolean,
  message?: string,
): void {
  for (const el of els) if (!ok(el)) ctx.report(el, message);
}

/** Code-list assert: `value` of `at` must be a member, compared whole (as the generated asserts do with their U+007F delimiters). */
export function inList(
  ctx: RuleContext,
  at: XmlElement,
  value: string | undefined,
  list: ReadonlySet<string>,
  listName: string,
): void {
  if (value === undefined || list.has(value)) return;
  ctx.report(at, `Value supplied '${value}' is unacceptable for constraints identified by '${listName}'`);
}
