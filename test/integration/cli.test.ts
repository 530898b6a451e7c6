import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../support/cli.js';
import { runOfficial } from '../support/schematron.js';
import { sample } from '../support/samples.js';
import { validateMessage } from '../../src/edm/validate.js';

const dir = mkdtempSync(path.join(tmpdir(), 'oots-cli-'));
function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

const birth = sample('birth-request');

describe('oots-adapter validate', () => {
  test('prints one JSON object per file and exits 0 when all are valid', () => {
    const a = file('a.xml', birth.load());
    const b = file('b.xml', sample('TC01_Request').load());
    const r = runCli(['validate', a, b]);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { valid: boolean; kind: string; errors: { rule: string }[] });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ file: a, kind: 'QueryRequest', version: 'oots-edm:v1.0', valid: true, errors: [] });
    expect(lines[1]).toMatchObject({ file: b, kind: 'QueryRequest', valid: true });
    expect(r.status).toBe(0);
  });

  test('exits 1 and names the rule when a file breaks an EDM rule', () => {
    const broken = file('broken.xml', birth.load().replace('<rim:Value>oots-edm:v1.0</rim:Value>', '<rim:Value>oots-edm:v9.9</rim:Value>'));
    const r = runCli(['validate', broken]);
    const out = JSON.parse(r.stdout);
    expect(out.valid).toBe(false);
    expect(out.version).toBe('oots-edm:v9.9');
    expect(out.errors.map((e: { rule: string }) => e.rule)).toContain('R-EDM-REQ-C001');
    expect(r.status).toBe(1);
  });

  test('exits 2 when a file is not XML, and still reports the others', () => {
    const good = file('good.xml', birth.load());
    const bad = file('bad.xml', '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>');
    const r = runCli(['validate', good, bad, path.join(dir, 'missing.xml')]);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { valid: boolean; kind: string; errors: { rule: string }[] });
    expect(lines.map((l: { valid: boolean }) => l.valid)).toEqual([true, false, false]);
    expect(lines[1]!.errors[0]!.rule).toBe('XML');
    expect(lines[1]!.kind).toBe('unknown');
    expect(r.status).toBe(2);
  });
});

describe('oots-adapter respond', () => {
  test('prints a valid error response for the request, in its version', () => {
    const req = file('req.xml', birth.load());
    const r = runCli(['respond', req, '--error', 'EDM:ERR:0004', '--detail', 'no record for this subject']);
    expect(r.status).toBe(0);
    const xml = r.stdout;
    expect(xml).toContain('code="EDM:ERR:0004"');
    expect(xml).toContain('requestId="urn:uuid:4ffb5281-179d-4578-adf2-39fd13ccc797"');
    expect(xml).toContain('no record for this subject');
    const report = validateMessage(xml);
    expect(report).toMatchObject({ kind: 'ErrorResponse', version: 'oots-edm:v1.0', valid: true });
    expect(runOfficial('ERR', xml).filter((f) => f.role === 'error')).toEqual([]);
  });

  test('refuses an unknown error code', () => {
    const req = file('req2.xml', birth.load());
    const r = runCli(['respond', req, '--error', 'EDM:ERR:0042']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/EDM:ERR:0001/);
  });
});

describe('oots-adapter start', () => {
  test('a start-up failure prints its reason and exits non-zero (a Cluster prefix without a hash tag)', () => {
    const r = runCli(['start', '--role', 'api'], { REDIS_URL: 'redis-cluster://127.0.0.1:1', QUEUE_PREFIX: 'oots' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/oots-adapter start: invalid configuration:[\s\S]*QUEUE_PREFIX="oots" has no \{hash tag\}/);
    // What the role lacks is listed in the same error.
    expect(r.stderr).toMatch(/invalid configuration:[\s\S]*CONNECTOR_INBOUND_TOKEN is required when REDIS_URL is set/);
  });
});
