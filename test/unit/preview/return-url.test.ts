import { checkReturn, normaliseOrigins } from '../../../src/preview/return-url.js';

const allowed = normaliseOrigins([
  'https://portal.example.de',
  'http://127.0.0.1:3000/',
  'not a url',
  'https://x.example/path',
]);

describe('return address allow-list', () => {
  test('origins are normalised; paths are not origins', () => {
    expect(allowed).toEqual(['https://portal.example.de', 'http://127.0.0.1:3000']);
  });

  test.each([
    ['https://portal.example.de/step?x=1', undefined, 'GET'],
    ['https://PORTAL.example.de:443/step', 'get', 'GET'],
    ['https://portal.example.de/', 'POST', 'POST'],
    ['http://127.0.0.1:3000/back', 'post', 'POST'],
  ])('accepts %s (%s)', (url, method, expected) => {
    const r = checkReturn(url, method, allowed);
    expect(r).toMatchObject({ ok: true, target: { method: expected } });
  });

  test.each([
    ['https://evil.example/', 'GET', 'origin'],
    ['https://portal.example.de.evil.example/', 'GET', 'origin'],
    ['https://portal.example.de@evil.example/', 'GET', 'credentials'],
    ['https://user:pw@portal.example.de/', 'GET', 'credentials'],
    ['http://portal.example.de/', 'GET', 'origin'], // http is another origin
    ['https://portal.example.de:8443/', 'GET', 'origin'],
    ['javascript:alert(1)', 'GET', 'scheme'],
    ['data:text/html,hi', 'GET', 'scheme'],
    ['//evil.example/x', 'GET', 'malformed'],
    ['/relative', 'GET', 'malformed'],
    ['', 'GET', 'malformed'],
    [['https://portal.example.de/'], 'GET', 'malformed'],
    ['https://portal.example.de/', 'PUT', 'method'],
    [`https://portal.example.de/${'a'.repeat(3000)}`, 'GET', 'too-long'],
  ])('refuses %s (%s): %s', (url, method, reason) => {
    expect(checkReturn(url, method, allowed)).toEqual({ ok: false, reason });
  });

  test('an empty allow-list refuses everything', () => {
    expect(checkReturn('https://portal.example.de/', 'GET', [])).toEqual({ ok: false, reason: 'origin' });
  });
});
