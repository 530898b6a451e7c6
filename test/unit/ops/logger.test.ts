import { execFileSync } from 'node:child_process';
import { Writable } from 'node:stream';
import express, { type ErrorRequestHandler } from 'express';
import { createLogger } from '../../../src/infra/logger.js';
import { requestIdOf, requestLog, requestLogger } from '../../../src/infra/request-log.js';
import { serve, type Served } from './serve.js';

// Synthetic sandbox person (src/sandbox/dagr-data/README.md).
const CODE = '120488-14731';
const NAME = 'Bērziņa';

const lines: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, cb) {
    lines.push(
      ...chunk
        .toString('utf8')
        .split('\n')
        .filter((l) => l !== ''),
    );
    cb();
  },
});
const logger = createLogger('debug', sink);

let served: Served;
beforeAll(async () => {
  const app = express();
  app.use(requestLogger(logger));
  app.post('/things/:id', express.json(), (req, res) => {
    const body = req.body as { subject: { personalCode: string; familyName: string } };
    // Mistakes a handler could make: the redaction paths must catch them.
    requestLog(req).info(
      { body: req.body, subject: body.subject, personalCode: body.subject.personalCode },
      'received',
    );
    res.status(202).json({ reqId: requestIdOf(req) });
  });
  app.post('/fail', express.json(), () => {
    throw new Error('handler failed');
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const onError: ErrorRequestHandler = (err: unknown, req, res, _next) => {
    requestLog(req).error({ err: err instanceof Error ? err.message : 'error' }, 'unhandled');
    res.status(500).end();
  };
  app.use(onError);
  served = await serve(app);
});
afterAll(() => served.close());

async function post(path: string): Promise<Response> {
  return fetch(`${served.url}${path}?identifier=${CODE}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer secret-token-do-not-log' },
    body: JSON.stringify({ subject: { personalCode: CODE, familyName: NAME, givenName: 'Anna' } }),
  });
}

function parsed(): Record<string, unknown>[] {
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('request logger', () => {
  test('a personal code in the body, the URL and the query never reaches a log line', async () => {
    lines.length = 0;
    const res = await post(`/things/${CODE}`);
    expect(res.status).toBe(202);
    const { reqId } = (await res.json()) as { reqId: string };
    expect(res.headers.get('x-request-id')).toBe(reqId);
    const out = lines.join('\n');
    expect(lines.length).toBe(2);
    expect(out).not.toContain(CODE);
    expect(out).not.toContain('12048814731');
    expect(out).not.toContain(NAME);
    expect(out).not.toContain('secret-token');
    const [handler, access] = parsed();
    expect(handler).toMatchObject({ reqId, body: '[redacted]', subject: '[redacted]', personalCode: '[redacted]' });
    expect(access).toMatchObject({ reqId, level: 30, http: { method: 'POST', route: '/things/:id', status: 202 } });
  });

  test('5xx at error level, 4xx at info, probes at debug; a safe caller request id is kept', async () => {
    lines.length = 0;
    expect((await post('/fail')).status).toBe(500);
    expect((await fetch(`${served.url}/nowhere/${CODE}`, { headers: { 'x-request-id': 'conn-42' } })).status).toBe(404);
    expect((await fetch(`${served.url}/healthz`, { headers: { 'x-request-id': 'bad id with spaces' } })).status).toBe(
      200,
    );
    const access = parsed().filter((l) => l.http !== undefined);
    expect(access.map((l) => [l.level, (l.http as { status: number }).status])).toEqual([
      [50, 500],
      [30, 404],
      [20, 200],
    ]);
    expect(access[1]).toMatchObject({ reqId: 'conn-42', http: { route: '<unmatched>' } });
    expect(access[2]!.reqId).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.join('\n')).not.toContain(CODE);
  });
});

describe('default destination (asynchronous stdout)', () => {
  // The default stream buffers; these lines must still reach stdout when the process ends at once.
  const run = (script: string): string =>
    execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
  const logger = `import { createLogger } from './src/infra/logger.ts'; const log = createLogger('info');`;

  test('a burst of lines followed by process.exit is written in full and in order', () => {
    const out = run(`${logger} for (let i = 0; i < 2000; i++) log.info({ i }, 'line'); process.exit(0);`);
    const seen = out
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => (JSON.parse(l) as { i: number }).i);
    expect(seen).toEqual(Array.from({ length: 2000 }, (_, i) => i));
  });

  test('a fatal line is on stdout before the process is killed', () => {
    let out = '';
    try {
      run(
        `${logger} log.info('before'); log.info('queued'); log.fatal('dying'); process.kill(process.pid, 'SIGKILL');`,
      );
    } catch (error) {
      out = String((error as { stdout?: string }).stdout);
    }
    const msgs = out
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => (JSON.parse(l) as { msg: string }).msg);
    // 'before' starts the stream's asynchronous write at once, on the thread pool; the fatal flush
    // writes what is queued behind it synchronously and cannot wait for it. On a busy machine the
    // SIGKILL can come before the pool has written it (seen in CI), or the pool writes it after the
    // flush. What the flush guarantees: the lines queued behind it and the fatal line, in order.
    expect(msgs.filter((m) => m !== 'before')).toEqual(['queued', 'dying']);
    expect(msgs.filter((m) => m === 'before').length).toBeLessThanOrEqual(1);
  });
});
