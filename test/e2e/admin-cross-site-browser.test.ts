/**
 * Cross-site request forgery against the admin surfaces, in a real headless Chromium: the operator
 * is signed in (basic auth, which the browser sends by itself) and visits a page on ANOTHER origin
 * (`localhost` on another port, while the adapter listens on 127.0.0.1) that submits a form to the
 * adapter. Each of the three attacks of issue 15 is refused and changes nothing:
 *
 * 1. a form-encoded POST that deactivates a mapping through the JSON API (and through the page);
 * 2. a `text/plain` form whose body is a mapping YAML, uploading and activating it;
 * 3. a form adding a job to the deliver queue through the queue dashboard's API.
 *
 * Legitimate use stays: the dashboard's own same-origin fetch adds a job and its UI pauses a
 * queue; the API answers a client that sends `X-Requested-By`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { deleteKeys, REDIS_URL } from '../support/connector-fixtures.js';
import { startAdapter, type AdapterProcess } from '../support/processes.js';

const prefix = `{e2e-xsite-${randomBytes(4).toString('hex')}}`;
const OPERATOR = { username: 'operator', password: `operator-${randomBytes(8).toString('hex')}` };
const authz = `Basic ${Buffer.from(`${OPERATOR.username}:${OPERATOR.password}`).toString('base64')}`;
let adapter: AdapterProcess;
let api: string;
let browser: Browser;
let evil: Server;
let evilUrl: string;
/** The attacker's pages, by path; each submits its form as soon as it loads. */
const pages = new Map<string, string>();

const escAttr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
function autoSubmit(action: string, enctype: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([n, v]) => `<textarea name="${escAttr(n)}">${v.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</textarea>`)
    .join('');
  return `<!doctype html><html><body><form method="post" action="${escAttr(action)}" enctype="${enctype}">${inputs}</form>
<script>document.forms[0].submit()</script></body></html>`;
}

/** The JSON API as a legitimate client uses it. */
const client = (p: string, init: RequestInit = {}): Promise<Response> =>
  fetch(`${api}${p}`, {
    ...init,
    headers: { authorization: authz, 'x-requested-by': 'e2e', ...(init.headers as Record<string, string>) },
  });

async function mapping(id: string): Promise<{ status: string; activeVersion?: string | null }> {
  return (await (await client(`/admin/api/mappings/${id}`)).json()) as { status: string };
}

async function deliverWaiting(): Promise<number> {
  const res = await client('/admin/queues/api/queues?activeQueue=exchange-deliver&status=waiting');
  const body = (await res.json()) as { queues: { name: string; counts: { waiting: number } }[] };
  return body.queues.find((q) => q.name === 'exchange-deliver')!.counts.waiting;
}

beforeAll(async () => {
  adapter = await startAdapter(
    {
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      CONNECTOR_INBOUND_TOKEN: randomBytes(16).toString('hex'),
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'oots-e2e-xsite-')),
      ADMIN_VIEWER_PASSWORD: `viewer-${randomBytes(8).toString('hex')}`,
      ADMIN_OPERATOR_PASSWORD: OPERATOR.password,
    },
    ['--role', 'api'],
  );
  api = adapter.ready.api!;
  evil = createServer((req, res) => {
    const html = pages.get(req.url ?? '');
    res.writeHead(html === undefined ? 404 : 200, { 'content-type': 'text/html; charset=utf-8' }).end(html ?? '');
  });
  await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
  // Another origin AND another site: `localhost` is not `127.0.0.1`, and the port differs.
  evilUrl = `http://localhost:${(evil.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => evil?.close(resolve));
  await adapter?.stop();
  const redis = new Redis(REDIS_URL);
  await deleteKeys(redis, prefix);
  await redis.quit();
}, 60_000);

/** A signed-in operator: the browser holds the credentials and sends them to the adapter. */
async function signedIn(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ httpCredentials: OPERATOR });
  const page = await context.newPage();
  expect((await page.goto(`${api}/admin/mappings`))?.status()).toBe(200);
  return { context, page };
}

/** Opens the attacker's page and returns the status of the POST its form sent to the adapter. */
async function attack(page: Page, name: string, html: string, target: string): Promise<number> {
  pages.set(`/${name}`, html);
  const posted = page.waitForResponse((r) => r.url().startsWith(target) && r.request().method() === 'POST');
  await page.goto(`${evilUrl}/${name}`);
  const res = await posted;
  expect(res.request().headers()['origin']).toBe(evilUrl);
  return res.status();
}

test('a form on another site cannot deactivate a mapping (JSON API or page)', async () => {
  const active = (await (await client('/admin/api/mappings')).json()) as { mappings: { id: string; status: string }[] };
  const id = active.mappings.find((m) => m.status === 'active')!.id;
  const { context, page } = await signedIn();
  try {
    const target = `${api}/admin/api/mappings/${id}/deactivate`;
    expect(
      await attack(page, 'deactivate-api', autoSubmit(target, 'application/x-www-form-urlencoded', { a: 'b' }), target),
    ).toBe(403);
    const pageTarget = `${api}/admin/mappings/${id}/deactivate`;
    expect(
      await attack(
        page,
        'deactivate-page',
        autoSubmit(pageTarget, 'application/x-www-form-urlencoded', { csrf: 'x' }),
        pageTarget,
      ),
    ).toBe(403);
    expect((await mapping(id)).status).toBe('active');
  } finally {
    await context.close();
  }
}, 60_000);

test('a text/plain form on another site cannot upload and activate a mapping', async () => {
  const list = (await (await client('/admin/api/mappings')).json()) as { mappings: { id: string; status: string }[] };
  const id = list.mappings.find((m) => m.status === 'active')!.id;
  const text = await (await client(`/admin/api/mappings/${id}/versions/1`)).text();
  // Make the target inactive, so that an upload with activate=true would show.
  expect((await client(`/admin/api/mappings/${id}/deactivate`, { method: 'POST' })).status).toBe(200);
  const { context, page } = await signedIn();
  try {
    const target = `${api}/admin/api/mappings?id=${id}&activate=true`;
    // A text/plain form sends `name=value`: the name `#` makes the first line a YAML comment.
    const html = autoSubmit(target, 'text/plain', { '#': `\n${text}` });
    expect(await attack(page, 'upload', html, `${api}/admin/api/mappings`)).toBe(403);
    expect((await mapping(id)).status).toBe('inactive');
  } finally {
    await context.close();
  }
}, 60_000);

test('a form on another site cannot add a job through the queue dashboard; its own page can', async () => {
  const before = await deliverWaiting();
  const { context, page } = await signedIn();
  try {
    const target = `${api}/admin/queues/api/queues/exchange-deliver/add`;
    const html = autoSubmit(target, 'text/plain', { '{"name":"deliver","data":{},"x":"': '"}' });
    expect(await attack(page, 'add-job', html, target)).toBe(403);
    expect(await deliverWaiting()).toBe(before);

    // The dashboard's own UI calls the same API with fetch from its page: accepted.
    await page.goto(`${api}/admin/queues`);
    await page.getByText('exchange-deliver').first().waitFor({ timeout: 15_000 });
    const status = await page.evaluate(async () => {
      const res = await fetch('/admin/queues/api/queues/exchange-deliver/add', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'deliver', data: { exchangeRef: 'xsite-probe' }, options: {} }),
      });
      return res.status;
    });
    expect(status).toBe(200);
    expect(await deliverWaiting()).toBe(before + 1);

    // And the real UI: the queue menu's Pause, confirmed, goes through (axios sends Origin only).
    await page.goto(`${api}/admin/queues/queue/exchange-deliver`);
    // The queue's action menu is the button after the workers badge.
    const workers = page.locator('button', { hasText: 'No workers' });
    await workers.waitFor({ timeout: 15_000 });
    await workers.locator('xpath=following::button[1]').click();
    await page.getByRole('menuitem', { name: /^pause$/i }).click();
    const paused = page.waitForResponse((r) => r.url().endsWith('/exchange-deliver/pause'));
    await page.getByRole('button', { name: 'Confirm' }).click();
    const res = await paused;
    expect(res.request().headers()['origin']).toBe(new URL(api).origin);
    expect(res.status()).toBe(200);
  } finally {
    await context.close();
  }
}, 60_000);
