/**
 * The WSDL check of `oots-adapter domibus selftest`, on the official Domibus 5.1.9 WSDL and
 * schemas (schemas/domibus/wsplugin-5.1.9) and on versions of them with a part taken away.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { analyseWsdl, checkPluginWsdl, requiredOperations } from '../../../src/connector/domibus/wsdl-check.js';
import { packageRoot } from '../../../src/resources/schema-files.js';

const DIR = path.join(packageRoot(), 'schemas/domibus/wsplugin-5.1.9');
const official = (name: string): string => readFileSync(path.join(DIR, name), 'utf8');
const WSDL = official('WebServicePlugin.wsdl');
const fromDisk =
  (edit: (name: string, text: string) => string = (_n, t) => t) =>
  (location: string) =>
    Promise.resolve(/^[\w.-]+\.xsd$/.test(location) ? edit(location, official(location)) : undefined);

test('the official 5.1.9 WSDL offers everything both modes need', async () => {
  for (const mode of ['destructive', 'confirm'] as const) {
    const r = await analyseWsdl(WSDL, mode, fromDisk());
    expect(r.ok).toBe(true);
    expect(r.lines.join('\n')).toContain('retrieveMessageRequest has the markAsDownloaded attribute');
    expect(r.lines.join('\n')).not.toMatch(/MISSING/);
  }
  expect(requiredOperations('confirm')).toContain('markMessageAsDownloaded');
});

test('no markMessageAsDownloaded operation: confirm mode is told so, destructive mode does not need it', async () => {
  const wsdl = WSDL.replace(/<wsdl:operation name="markMessageAsDownloaded">[\s\S]*?<\/wsdl:operation>/, '');
  const confirm = await analyseWsdl(wsdl, 'confirm', fromDisk());
  expect(confirm.ok).toBe(false);
  expect(confirm.lines[0]).toBe(
    'MISSING: operations missing for DOMIBUS_RETRIEVE_MODE=confirm: markMessageAsDownloaded (Domibus 5.1+ offers it; or use DOMIBUS_RETRIEVE_MODE=destructive)',
  );
  expect((await analyseWsdl(wsdl, 'destructive', fromDisk())).ok).toBe(true);
});

test('no markAsDownloaded attribute (a Domibus before 5.1): confirm mode would delete on retrieve, and says so', async () => {
  const noAttribute = fromDisk((name, text) =>
    name === 'webservicePlugin-body.xsd' ? text.replace(/<xsd:attribute name="markAsDownloaded"[^>]*\/>/, '') : text,
  );
  const confirm = await analyseWsdl(WSDL, 'confirm', noAttribute);
  expect(confirm.ok).toBe(false);
  expect(confirm.lines.join('\n')).toContain(
    'MISSING: retrieveMessageRequest has no markAsDownloaded attribute: this Domibus would delete each message as it is retrieved',
  );
  const destructive = await analyseWsdl(WSDL, 'destructive', noAttribute);
  expect(destructive.ok).toBe(true);
  expect(destructive.lines.join('\n')).toContain('not needed in destructive mode');
});

test('the schemas cannot be read: confirm mode cannot be confirmed', async () => {
  const r = await analyseWsdl(WSDL, 'confirm', () => Promise.resolve(undefined));
  expect(r.ok).toBe(false);
  expect(r.lines.join('\n')).toMatch(/retrieveMessageRequest is not declared in the WSDL's schemas \(could not read/);
});

test('the push API WSDL (another service) and a non-WSDL answer are named for what they are', async () => {
  const backend = await analyseWsdl(official('BackendService.wsdl'), 'destructive', fromDisk());
  expect(backend.ok).toBe(false);
  expect(backend.lines[0]).toMatch(/namespace is eu\.domibus, not the Domibus 5 WS plugin's/);
  expect(backend.lines[1]).toMatch(
    /operations missing .*submitMessage, getStatus, getMessageErrors, listPendingMessages, retrieveMessage/,
  );
  expect((await analyseWsdl('<html><body>Login</body></html>', 'confirm', fromDisk())).lines).toEqual([
    '?wsdl answered <html>, not a WSDL: check DOMIBUS_WS_URL',
  ]);
});

test("a schemaLocation on another origin is not fetched with the plugin user's password", async () => {
  const seen: (string | undefined)[] = [];
  const listen = async (handler: http.RequestListener): Promise<http.Server> => {
    const server = http.createServer(handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return server;
  };
  const port = (s: http.Server): number => (s.address() as AddressInfo).port;
  // Another origin (another port) serving the real schema, recording what it is sent.
  const elsewhere = await listen((req, res) => {
    seen.push(req.headers.authorization);
    res.setHeader('content-type', 'text/xml');
    res.end(official('webservicePlugin-body.xsd'));
  });
  const plugin = await listen((_req, res) => {
    res.setHeader('content-type', 'text/xml');
    res.end(
      WSDL.replace(
        /schemaLocation="webservicePlugin-body.xsd"/,
        `schemaLocation="http://127.0.0.1:${port(elsewhere)}/webservicePlugin-body.xsd"`,
      ),
    );
  });
  try {
    const report = await checkPluginWsdl({
      url: `http://127.0.0.1:${port(plugin)}/domibus/services/wsplugin`,
      user: 'plugin-user',
      password: 'plugin-user-password-1',
      timeoutMs: 5000,
      mode: 'confirm',
    });
    expect(seen).toEqual([]);
    expect(report.ok).toBe(false);
    expect(report.lines.join('\n')).toContain(`could not read http://127.0.0.1:${port(elsewhere)}/`);
  } finally {
    plugin.close();
    elsewhere.close();
  }
});
