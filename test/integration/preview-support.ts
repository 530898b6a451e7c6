/** Shared pieces of the preview tests: a synthetic subject, a session input, a fetch with a cookie jar. */
import type { NaturalPerson, Subject } from '../../src/edm/model.js';
import type { CreatePreviewInput } from '../../src/preview/session-store.js';

export function person(over: Partial<NaturalPerson> = {}): NaturalPerson {
  return {
    kind: 'NaturalPerson',
    levelOfAssurance: undefined,
    identifier: { value: 'LV/DE/12048814731', schemeID: 'eidas' },
    familyName: 'Bērziņa',
    givenName: 'Anna',
    dateOfBirth: '1988-04-12',
    birthName: undefined,
    placeOfBirth: undefined,
    currentAddress: undefined,
    gender: undefined,
    nationality: undefined,
    countryOfBirth: undefined,
    townOfBirth: undefined,
    countryOfResidence: undefined,
    phoneNumber: undefined,
    emailAddress: undefined,
    sectorSpecificAttributes: [],
    ...over,
  };
}

/** A marker that must never appear where the evidence must not be seen. */
export const EVIDENCE_MARKER = 'Skolas-iela-42-MARKER';
export const PDF_BYTES = Buffer.from(`%PDF-1.7\n% ${EVIDENCE_MARKER}\n%%EOF\n`, 'utf8');

export function sessionInput(over: Partial<CreatePreviewInput> = {}, subject: Subject = person()): CreatePreviewInput {
  return {
    exchangeRef: 'xREQUEST1',
    version: 'oots-edm:v1.2',
    subject,
    evidences: [
      {
        id: 'urn:uuid:0b7c8f7e-1d1e-4f7b-9a39-3f5c1c2a0001',
        title: { lv: 'Deklarētā dzīvesvieta', en: 'Declared residence' },
        mimeType: 'application/pdf',
        bytes: PDF_BYTES,
        fields: [
          { label: { lv: 'Vārds', en: 'Given name' }, value: 'Anna' },
          { label: { lv: 'Adrese', en: 'Address' }, value: EVIDENCE_MARKER },
        ],
      },
      {
        id: 'urn:uuid:0b7c8f7e-1d1e-4f7b-9a39-3f5c1c2a0002',
        title: { lv: 'Dzimšanas apliecība', en: 'Birth certificate' },
        mimeType: 'application/xml',
        bytes: Buffer.from(`<birth>${EVIDENCE_MARKER}</birth>`),
        fields: [{ label: { lv: 'Dzimšanas datums', en: 'Date of birth' }, value: '1988-04-12' }],
      },
    ],
    previewDescription: { lv: 'Lūdzu, pārskatiet pierādījumus.', en: 'Please review the evidence.' },
    requester: 'Studienstiftung Berlin',
    exchangeId: undefined,
    requestId: 'urn:uuid:5a0f9d2e-0000-4000-8000-000000000001',
    conversationId: 'c0ffee00-0000-4000-8000-000000000001',
    ...over,
  };
}

interface StoredCookie {
  readonly value: string;
  readonly path: string;
  readonly origin: string;
}

/** fetch without automatic redirects, with a per-"browser" cookie jar honouring name, origin and path. */
export class Browser {
  private readonly jar = new Map<string, StoredCookie>();
  constructor(private readonly headers: Record<string, string> = {}) {}

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const u = new URL(url);
    const cookies = [...this.jar.entries()]
      .filter(
        ([, c]) =>
          c.origin === u.origin &&
          (u.pathname === c.path || u.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)),
      )
      .map(([k, c]) => `${k.split('\n')[1]}=${c.value}`);
    const headers = new Headers(init.headers);
    for (const [k, v] of Object.entries(this.headers)) if (!headers.has(k)) headers.set(k, v);
    if (cookies.length > 0) headers.set('cookie', cookies.join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const path = attrs.map((a) => /^\s*path=(.*)$/i.exec(a)?.[1]).find((p) => p !== undefined) ?? '/';
      const expired =
        attrs.some((a) => /^\s*expires=/i.test(a) && new Date(a.split('=')[1]!).getTime() < Date.now()) || value === '';
      const key = `${u.origin}${path}\n${name}`;
      if (expired) this.jar.delete(key);
      else this.jar.set(key, { value, path, origin: u.origin });
    }
    return res;
  }

  cookieNames(): string[] {
    return [...this.jar.keys()].map((k) => k.split('\n')[1]!);
  }
}

/** Hidden inputs and action of the first form in an HTML page. */
export function formOf(html: string): { action: string; fields: Record<string, string> } {
  const action = /<form[^>]*action="([^"]*)"/.exec(html)?.[1] ?? '';
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    fields[m[1]!] = decodeEntities(m[2]!);
  return { action: decodeEntities(action), fields };
}

export function decodeEntities(s: string): string {
  return s.replace(/&#(\d+);/g, (_m, d: string) => String.fromCharCode(Number(d))).replace(/&amp;/g, '&');
}
