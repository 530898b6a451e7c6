/**
 * The one HTTP error middleware: the status comes from the error's code (src/errors.ts), never
 * from the route; bodies are problem+json without internals; 5xx at error, 4xx at info.
 */
import express from 'express';
import { AdapterError, HttpProblem, XmlInputError } from '../../../src/errors.js';
import { createLogger } from '../../../src/infra/logger.js';
import { httpErrorHandler, notFoundHandler } from '../../../src/infra/http-problem.js';
import { serve, type Served } from '../ops/serve.js';

const LEVELS: Record<number, string> = { 50: 'error', 40: 'warn', 30: 'info' };
const logged: { level: string; msg: string }[] = [];
const logger = createLogger('info', {
  write(line: string) {
    const o = JSON.parse(line) as { level: number; msg: string };
    logged.push({ level: LEVELS[o.level] ?? String(o.level), msg: o.msg });
  },
});

let served: Served;
beforeAll(async () => {
  const app = express();
  app.get('/conflict', () => {
    throw new HttpProblem('ERR_HTTP_CONFLICT', 'taken', { extra: { problems: [1] }, headers: { 'X-Why': 'test' } });
  });
  app.get('/xml', () => {
    throw new XmlInputError('ERR_XML_FORBIDDEN', 'DTDs are refused');
  });
  app.get('/busy', () => {
    throw new AdapterError('ERR_PARSE_BUSY', 'every parse thread is busy');
  });
  app.get('/internal', () => {
    throw new AdapterError('ERR_DAGR', 'secret internals at dagr.internal:8443');
  });
  app.get('/bug', () => {
    throw new TypeError('x is undefined');
  });
  app.post('/json', express.json(), (_req, res) => {
    res.json({});
  });
  app.use(notFoundHandler());
  app.use(httpErrorHandler(logger));
  served = await serve(app);
});
afterAll(() => served.close());

const get = async (path: string, init?: RequestInit) => {
  const r = await fetch(`${served.url}${path}`, init);
  return {
    status: r.status,
    type: r.headers.get('content-type'),
    headers: r.headers,
    body: (await r.json()) as unknown,
  };
};

test('an HttpProblem answers with the status of its code, its extra members and headers', async () => {
  const r = await get('/conflict');
  expect(r.status).toBe(409);
  expect(r.type).toMatch(/^application\/problem\+json/);
  expect(r.headers.get('x-why')).toBe('test');
  expect(r.body).toEqual({ type: 'about:blank', title: 'Conflict', status: 409, detail: 'taken', problems: [1] });
});

test('the catalogue title overrides the reason phrase (XML input: 400 Bad XML)', async () => {
  expect((await get('/xml')).body).toEqual({
    type: 'about:blank',
    title: 'Bad XML',
    status: 400,
    detail: 'DTDs are refused',
  });
});

test('busy parse threads: 503 with Retry-After, logged at warn', async () => {
  logged.length = 0;
  const r = await get('/busy');
  expect(r.status).toBe(503);
  expect(r.headers.get('retry-after')).toBe('1');
  expect(logged.map((l) => l.level)).toEqual(['warn']);
});

test('a 500 never carries the message and is logged at error; a 4xx at info', async () => {
  logged.length = 0;
  for (const path of ['/internal', '/bug']) {
    const r = await get(path);
    expect(r.status).toBe(500);
    expect(r.body).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'the request could not be processed',
    });
  }
  expect(logged.map((l) => l.level)).toEqual(['error', 'error']);
  logged.length = 0;
  await get('/conflict');
  expect(logged.map((l) => l.level)).toEqual(['info']);
});

test('body parser errors keep their 4xx; unknown routes are 404 problem+json', async () => {
  const bad = await get('/json', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
  expect(bad.status).toBe(400);
  expect((bad.body as { title: string }).title).toBe('Bad Request');
  const missing = await get('/nowhere');
  expect(missing.body).toEqual({ type: 'about:blank', title: 'Not Found', status: 404, detail: 'no such route' });
});
