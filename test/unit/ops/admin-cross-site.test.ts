/**
 * The admin cross-site guard's decisions, surface by surface, over real HTTP (the browser test
 * in test/e2e/admin-cross-site-browser.test.ts shows the same from a real page on another origin).
 */
import express from 'express';
import { crossSiteGuard, type AdminSurface } from '../../../src/admin/cross-site.js';
import { serve, type Served } from './serve.js';

let served: Served;
let host: string;

beforeAll(async () => {
  const app = express();
  for (const surface of ['api', 'page', 'dashboard'] as const)
    app.use(`/${surface}`, crossSiteGuard(surface), (_req, res) => {
      res.json({ reached: true });
    });
  served = await serve(app);
  host = new URL(served.url).host;
});
afterAll(() => served.close());

async function status(surface: AdminSurface, method: string, headers: Record<string, string> = {}): Promise<number> {
  const init: RequestInit = { method, headers };
  if (headers['content-type'] !== undefined) init.body = 'x';
  return (await fetch(`${served.url}/${surface}/act`, init)).status;
}

const client = { 'x-requested-by': 'unit' };
const json = { 'content-type': 'application/json' };

describe.each(['api', 'page', 'dashboard'] as const)('every surface (%s)', (surface) => {
  test('reads pass untouched, even from another origin', async () => {
    expect(await status(surface, 'GET', { origin: 'http://evil.example' })).toBe(200);
    expect(await status(surface, 'HEAD', { 'sec-fetch-site': 'cross-site' })).toBe(200);
  });
  test.each([
    ['a foreign Origin', { origin: 'http://evil.example' }],
    ['Origin: null', { origin: 'null' }],
    ['an Origin that is not a URL', { origin: 'not a url' }],
    ['another port of the same host', { origin: 'http://127.0.0.1:1' }],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site' }],
    ['a foreign Referer without Origin', { referer: 'http://evil.example/x' }],
  ])('a change with %s: 403, even with X-Requested-By', async (_n, h) => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH'])
      expect([method, await status(surface, method, { ...client, ...json, ...h })]).toEqual([method, 403]);
  });
});

describe('the JSON API', () => {
  test('needs X-Requested-By; then a same-origin or origin-less client passes', async () => {
    expect(await status('api', 'POST', json)).toBe(403);
    expect(await status('api', 'POST', { ...json, origin: `http://${host}` })).toBe(403);
    expect(await status('api', 'POST', { ...json, ...client })).toBe(200);
    expect(
      await status('api', 'POST', { ...json, ...client, origin: `http://${host}`, 'sec-fetch-site': 'same-origin' }),
    ).toBe(200);
    expect(await status('api', 'POST', { ...client, referer: `http://${host}/admin/mappings` })).toBe(200);
  });
  test.each([
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'text/plain',
    'TEXT/PLAIN; charset=utf-8',
  ])('a %s body: 415, header or not', async (type) => {
    expect(await status('api', 'POST', { ...client, 'content-type': type })).toBe(415);
  });
});

describe('the page forms and the dashboard', () => {
  test('page: a same-origin or origin-less form passes on to the CSRF token check', async () => {
    expect(
      await status('page', 'POST', { 'content-type': 'application/x-www-form-urlencoded', origin: `http://${host}` }),
    ).toBe(200);
    expect(await status('page', 'POST', { 'content-type': 'application/x-www-form-urlencoded' })).toBe(200);
  });
  test("dashboard: the browser's same-origin word or X-Requested-By; nothing at all is refused", async () => {
    expect(await status('dashboard', 'PUT', { origin: `http://${host}` })).toBe(200);
    expect(await status('dashboard', 'PUT', { 'sec-fetch-site': 'same-origin' })).toBe(200);
    expect(await status('dashboard', 'PUT', client)).toBe(200);
    expect(await status('dashboard', 'PUT')).toBe(403);
    expect(await status('dashboard', 'PUT', { 'sec-fetch-site': 'none' })).toBe(403);
  });
});
