/**
 * Helpers shared by the EDM rule files: slot lookup by name (computed once per tree), typed
 * `xsi:type` checks, and the value tests the Schematron asserts use (UUID, xsd:date/dateTime, SR
 * URIs, eIDAS identifiers). Pure functions over the element tree.
 */
import type { EdmVersion } from '../model.js';
import { NS } from '../xml/namespaces.js';
import { attr, resolveQName, type XmlElement } from '../xml/tree.js';
import type { Rule, RuleContext } from './engine.js';
import type { Severity } from '../violation.js';

export const V1: readonly EdmVersion[] = ['oots-edm:v1.0', 'oots-edm:v1.1', 'oots-edm:v1.2'];
export const V12_AND_LATER: readonly EdmVersion[] = ['oots-edm:v1.2', 'oots-edm:v2.0'];
export const V2: readonly EdmVersion[] = ['oots-edm:v2.0'];

export function isV2(version: EdmVersion | undefined): boolean {
  return version === 'oots-edm:v2.0';
}

/** Slots of one parent grouped by `@name` (document order kept); slots are found by name, never position. */
export type SlotMap = ReadonlyMap<string, readonly XmlElement[]>;

/** What request rules look at, computed once per tree (see `requestView`). */
export interface RequestView {
  /** The root, when it is `query:QueryRequest`; rules judge nothing else. */
  readonly request: XmlElement | undefined;
  /** `rim:Slot` children of the QueryRequest, in order. */
  readonly topSlotList: readonly XmlElement[];
  readonly topSlots: SlotMap;
  readonly responseOptions: readonly XmlElement[];
  readonly queries: readonly XmlElement[];
  /** Slots of all `query:Query` children, by name. */
  readonly querySlots: SlotMap;
  /** Lookups shared by several rules in one run (see `memo`). */
  readonly cache: Map<string, readonly XmlElement[]>;
}

/** Computes `find` once per tree and key: many rules look at the same agents, persons, types. */
export function memo(view: RequestView, key: string, find: () => readonly XmlElement[]): readonly XmlElement[] {
  const hit = view.cache.get(key);
  if (hit !== undefined) return hit;
  const found = find();
  view.cache.set(key, found);
  return found;
}

const EMPTY: readonly XmlElement[] = [];
const views = new WeakMap<XmlElement, RequestView>();

function groupSlots(slots: readonly XmlElement[]): Map<string, XmlElement[]> {
  const map = new Map<string, XmlElement[]>();
  for (const s of slots) {
    const name = attr(s, 'name') ?? '';
    const list = map.get(name);
    if (list === undefined) map.set(name, [s]);
    else list.push(s);
  }
  return map;
}

/** The request's slots by name; one pass over the top two levels, cached per root. */
export function requestView(root: XmlElement): RequestView {
  const hit = views.get(root);
  if (hit !== undefined) return hit;
  const isRequest = root.ns === NS.query && root.local === 'QueryRequest';
  const topSlotList: XmlElement[] = [];
  const responseOptions: XmlElement[] = [];
  const queries: XmlElement[] = [];
  const querySlotList: XmlElement[] = [];
  if (isRequest) {
    for (const c of root.children) {
      if (c.ns === NS.rim && c.local === 'Slot') topSlotList.push(c);
      else if (c.ns === NS.query && c.local === 'ResponseOption') responseOptions.push(c);
      else if (c.ns === NS.query && c.local === 'Query') {
        queries.push(c);
        for (const q of c.children) if (q.ns === NS.rim && q.local === 'Slot') querySlotList.push(q);
      }
    }
  }
  const view: RequestView = {
    request: isRequest ? root : undefined,
    topSlotList,
    topSlots: groupSlots(topSlotList),
    responseOptions,
    queries,
    querySlots: groupSlots(querySlotList),
    cache: new Map(),
  };
  views.set(root, view);
  return view;
}

export function slotsNamed(map: SlotMap, name: string): readonly XmlElement[] {
  return map.get(name) ?? EMPTY;
}

/** Children in a namespace with a local name (allocation-light `childrenNamed`). */
export function kids(el: XmlElement, ns: string, local: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) if (c.local === local && c.ns === ns) out.push(c);
  return out;
}

export function kid(el: XmlElement, ns: string, local: string): XmlElement | undefined {
  for (const c of el.children) if (c.local === local && c.ns === ns) return c;
  return undefined;
}

export function hasKid(el: XmlElement, ns: string, local: string): boolean {
  return kid(el, ns, local) !== undefined;
}

/** `rim:SlotValue` children of each slot (the Schematron contexts `Slot[@name=X]/rim:SlotValue`). */
export function slotValues(slots: readonly XmlElement[]): XmlElement[] {
  const out: XmlElement[] = [];
  for (const s of slots) for (const c of s.children) if (c.local === 'SlotValue' && c.ns === NS.rim) out.push(c);
  return out;
}

/** `rim:Element` children of the slot values (collection members). */
export function collectionElements(slotValueEls: readonly XmlElement[]): XmlElement[] {
  const out: XmlElement[] = [];
  for (const sv of slotValueEls) for (const c of sv.children) if (c.local === 'Element' && c.ns === NS.rim) out.push(c);
  return out;
}

/** `sdg:<local>` children of several parents. */
export function sdgKids(parents: readonly XmlElement[], local: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const p of parents) for (const c of p.children) if (c.local === local && c.ns === NS.sdg) out.push(c);
  return out;
}

/**
 * True when `@xsi:type` names `rim:<local>`. The QName is resolved against the element's scope (the
 * official asserts compare `substring-after(@xsi:type, ':')`, ignoring the prefix's namespace).
 */
export function hasRimType(el: XmlElement, local: string): boolean {
  const t = attr(el, 'type', NS.xsi);
  if (t === undefined) return false;
  const q = resolveQName(el, t.trim());
  return q.ns === NS.rim && q.local === local;
}

/** XPath `normalize-space`. */
export function normalizeSpace(s: string): string {
  return s.replace(/[ \t\r\n]+/g, ' ').trim();
}

/** XPath string value: all descendant text, in document order. */
export function stringValue(el: XmlElement): string {
  if (el.children.length === 0) return el.text;
  let s = el.text;
  for (const c of el.children) s += stringValue(c);
  return s;
}

/** `not(normalize-space(sdg:X) = '')` for the first `sdg:X` child (empty when absent). */
export function hasSdgValue(el: XmlElement, local: string): boolean {
  const c = kid(el, NS.sdg, local);
  return c !== undefined && normalizeSpace(stringValue(c)) !== '';
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const UUID_RE = new RegExp(`^${UUID}$`, 'i');
const ENDS_WITH_UUID_RE = new RegExp(`${UUID}$`, 'i');
const URN_UUID_RE = new RegExp(`^urn:uuid:${UUID}$`, 'i');

export function isUuid(s: string): boolean {
  return UUID_RE.test(s);
}
/** The official identifier test `matches(., '<uuid>$', 'i')`: ends with a UUID. */
export function endsWithUuid(s: string): boolean {
  return ENDS_WITH_UUID_RE.test(s);
}
export function isUrnUuid(s: string): boolean {
  return URN_UUID_RE.test(s);
}

const TZ = '(Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?';
const DATE = '-?(?:[1-9][0-9]{3,}|0[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])';
const DATE_RE = new RegExp(`^${DATE}${TZ}$`);
const DATETIME_RE = new RegExp(
  `^${DATE}T(?:([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]+)?|24:00:00(?:\\.0+)?)${TZ}$`,
);

function dayFits(year: number, month: number, day: number): boolean {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day <= days;
}

/** xsd:date lexical form (optional timezone), day checked against the month. */
export function isXsdDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  return m !== null && dayFits(Number(s.slice(0, s.indexOf('-', 1))), Number(m[1]), Number(m[2]));
}

/** xsd:dateTime lexical form (optional fraction and timezone), day checked against the month. */
export function isXsdDateTime(s: string): boolean {
  const m = DATETIME_RE.exec(s);
  return m !== null && dayFits(Number(s.slice(0, s.indexOf('-', 1))), Number(m[1]), Number(m[2]));
}

/**
 * Semantic Repository hosts: the April-2023 snapshot's and the final releases' (notes, version
 * caveat). Rules accept both, so snapshot-era and current requests pass alike.
 */
export const SR_HOSTS = ['https://sr.oots.tech.europa.eu/', 'https://sr.oots.tech.ec.europa.eu/'] as const;

/** The path after an SR host (`requirements/...`), or undefined when `uri` is not on an SR host. */
export function srPath(uri: string): string | undefined {
  for (const host of SR_HOSTS) if (uri.startsWith(host)) return uri.slice(host.length);
  return undefined;
}

/** The official eIDAS identifier test (C039/C050/C061): `XX/YY/` then 9 alphanumerics, case-insensitive. */
const EIDAS_RE = /[a-z]{2}\/[a-z]{2}\/[a-z0-9]{9}/i;
export function isEidasIdentifier(s: string): boolean {
  return EIDAS_RE.test(s);
}

/** Code-list membership of a trimmed value (genericode codes are normalizedString). */
export function inList(list: ReadonlySet<string>, value: string): boolean {
  return list.has(value.trim());
}

/** Language codes are compared upper-cased: xml:lang is case-insensitive, the OOTS list is upper case. */
export function inLanguageList(list: ReadonlySet<string>, value: string): boolean {
  return list.has(value.trim().toUpperCase());
}

/** Shorthand for declaring a QueryRequest rule. */
export function requestRule(
  id: string,
  severity: Severity,
  description: string,
  check: (ctx: RuleContext, view: RequestView) => void,
  versions?: readonly EdmVersion[],
): Rule {
  return {
    id,
    kind: 'QueryRequest',
    severity,
    description: normalizeSpace(description),
    ...(versions === undefined ? {} : { versions }),
    check: (ctx) => check(ctx, requestView(ctx.root)),
  };
}
