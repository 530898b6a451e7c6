import { generateKey } from '../../../src/infra/aead.js';
import { deriveCookieKey, openCookie, parseCookies, sealCookie } from '../../../src/preview/cookies.js';
import { langFromAcceptLanguage, messages, pickLang } from '../../../src/preview/i18n.js';
import { evidencePage, messagePage, postReturnPage } from '../../../src/preview/pages.js';

describe('language', () => {
  test.each([
    ['lv-LV,lv;q=0.9,en;q=0.8', 'lv'],
    ['de-DE,de;q=0.9,en;q=0.8,lv;q=0.7', 'en'],
    ['de, lv;q=0.9, en;q=0.95', 'en'],
    ['fr', undefined],
    ['en;q=0, lv;q=0.1', 'lv'],
    ['', undefined],
  ])('Accept-Language %s → %s', (header, expected) => {
    expect(langFromAcceptLanguage(header)).toBe(expected);
  });

  test('query beats cookie beats header; English by default', () => {
    expect(pickLang('lv', 'en', 'en')).toBe('lv');
    expect(pickLang(undefined, 'lv', 'en')).toBe('lv');
    expect(pickLang('xx', undefined, 'lv')).toBe('lv');
    expect(pickLang(undefined, undefined, undefined)).toBe('en');
  });

  test('both languages define every message', () => {
    expect(Object.keys(messages('lv')).sort()).toEqual(Object.keys(messages('en')).sort());
    for (const [k, v] of Object.entries(messages('lv')))
      if (typeof v === 'string')
        expect([k, v]).not.toEqual([k, (messages('en') as unknown as Record<string, string>)[k]]);
  });
});

describe('pages', () => {
  const evidence = {
    id: 'urn:uuid:1',
    title: { lv: 'Dzimšanas apliecība', en: 'Birth certificate' },
    mimeType: 'application/pdf',
    fields: [{ label: { lv: 'Vārds', en: 'Name' }, value: '<script>alert("x")</script>' }],
  };

  test('values are escaped; no inline script or style; every radio has a label; lang attribute set', () => {
    const html = evidencePage({
      lang: 'lv',
      sessionPath: '/preview/abc',
      requester: 'Amt "Berlin" & <Co>',
      description: { lv: 'Apraksts', en: 'Description' },
      evidences: [evidence],
      csrf: 'tok',
      decideBy: new Date('2025-03-01T10:40:00Z'),
    });
    expect(html).toContain('<html lang="lv">');
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;');
    expect(html).toContain('Amt &#34;Berlin&#34; &#38; &#60;Co&#62;');
    expect(html).not.toMatch(/<script(?! src=)/);
    expect(html).not.toMatch(/ style=|<style/);
    expect(html).not.toMatch(/ on[a-z]+=/);
    for (const m of html.matchAll(/<input type="radio" id="([^"]+)"/g)) expect(html).toContain(`<label for="${m[1]}">`);
    expect(html).toContain('<legend>Vai nosūtīt “Dzimšanas apliecība”?</legend>');
    expect(html).toContain('2025-03-01 10:40');
    expect(html).toContain('action="/preview/abc/decision"');
    expect(html).toContain('<input type="hidden" name="csrf" value="tok">');
  });

  test('an unanswered evidence is named in an error summary and marked invalid', () => {
    const html = evidencePage({
      lang: 'en',
      sessionPath: '/p',
      requester: undefined,
      description: undefined,
      evidences: [evidence],
      csrf: 't',
      decideBy: undefined,
      missing: [0],
    });
    expect(html).toContain('role="alert"');
    expect(html).toContain('href="#choice-0-approve"');
    expect(html).toContain('aria-invalid="true"');
  });

  test('message and POST-return pages', () => {
    const m = messagePage({ lang: 'en', title: (t) => t.notForYouTitle, body: (t) => t.notForYouBody });
    expect(m).toContain('<h1>This preview is not for you</h1>');
    const r = postReturnPage('en', 'https://portal.example.de/back?a=1&b="2"');
    expect(r).toContain('action="https://portal.example.de/back?a=1&#38;b=&#34;2&#34;"');
    expect(r).toContain('<script src="/preview/static/return.js"></script>');
  });
});

describe('sealed cookies', () => {
  const key = deriveCookieKey(generateKey());
  const now = new Date('2025-03-01T10:00:00Z');

  test('round trip within the lifetime, bound to the purpose, refused when expired or tampered', () => {
    const raw = sealCookie(key, 'pvauth:s1', { sid: 's1', csrf: 'c' }, new Date(now.getTime() + 60_000));
    expect(raw).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(openCookie(key, 'pvauth:s1', raw, now)).toMatchObject({ sid: 's1', csrf: 'c' });
    expect(openCookie(key, 'pvauth:s2', raw, now)).toBeUndefined();
    expect(openCookie(key, 'pvauth:s1', raw, new Date(now.getTime() + 60_001))).toBeUndefined();
    expect(openCookie(deriveCookieKey(generateKey()), 'pvauth:s1', raw, now)).toBeUndefined();
    const flipped = raw.slice(0, 20) + (raw[20] === 'A' ? 'B' : 'A') + raw.slice(21);
    expect(openCookie(key, 'pvauth:s1', flipped, now)).toBeUndefined();
    expect(openCookie(key, 'pvauth:s1', 'not base64!', now)).toBeUndefined();
    expect(openCookie(key, 'pvauth:s1', undefined, now)).toBeUndefined();
  });

  test('cookie header parsing keeps the first of duplicate names', () => {
    expect(parseCookies('a=1; b="2"; a=3; bad; =x')).toEqual(
      new Map([
        ['a', '1'],
        ['b', '2'],
      ]),
    );
  });
});
