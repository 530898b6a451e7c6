/**
 * The `oots-adapter` command. Each subcommand is a thin shell over the pure rooms: it reads
 * files, calls them, prints, and chooses the exit code.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig, loadStartConfig, providerAgent } from '../config.js';
import { XmlInputError, type EdmErrorCode } from '../errors.js';
import { buildErrorResponse, requestEcho } from '../edm/build/index.js';
import { EDM_ERROR_CODES } from '../edm/codelists.js';
import { parseQueryRequest } from '../edm/parse-request.js';
import { validateMessage } from '../edm/validate.js';
import { parseXml } from '../edm/xml/parse.js';
import path from 'node:path';
import { start, type Role } from '../main.js';
import { localConnectorToken } from '../sandbox/local-secrets.js';
import { send } from './send.js';
import { registerMappingCommands } from './mappings.js';
import { createDomibusClient, domibusSelfTest } from '../connector/domibus/index.js';
import { checkPluginWsdl } from '../connector/domibus/wsdl-check.js';
import { loadEdmXsdValidator } from '../resources/edm-xsd.js';

function out(line: string): void {
  process.stdout.write(line + '\n');
}
function err(line: string): void {
  process.stderr.write(line + '\n');
}

function validateCommand(files: string[], opts: { info?: boolean }): number {
  const config = loadConfig();
  const xsd = loadEdmXsdValidator();
  let exit = 0;
  try {
    for (const file of files) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch (e) {
        out(JSON.stringify({ file, kind: 'unknown', version: null, valid: false, errors: [{ rule: 'IO', message: (e as Error).message }], warnings: [] }));
        exit = 2;
        continue;
      }
      try {
        const r = validateMessage(bytes, { limits: config.xmlLimits, xsd });
        out(JSON.stringify({ file, kind: r.kind, version: r.version, valid: r.valid, errors: r.errors, warnings: r.warnings, ...(opts.info ? { infos: r.infos } : {}) }));
        if (!r.valid) exit = Math.max(exit, 1);
      } catch (e) {
        if (!(e instanceof XmlInputError)) throw e;
        out(JSON.stringify({ file, kind: 'unknown', version: null, valid: false, errors: [{ rule: 'XML', message: e.message, ...(e.line === undefined ? {} : { line: e.line }) }], warnings: [] }));
        exit = 2;
      }
    }
  } finally {
    xsd.dispose();
  }
  return exit;
}

function parseEdmCode(value: string): EdmErrorCode {
  if (!EDM_ERROR_CODES.has(value)) throw new InvalidArgumentError(`expected one of ${[...EDM_ERROR_CODES.keys()].join(', ')}`);
  return value as EdmErrorCode;
}

function respondCommand(file: string, opts: { error: EdmErrorCode; detail?: string; message?: string }): number {
  const config = loadConfig();
  let request;
  try {
    request = parseQueryRequest(parseXml(readFileSync(file), config.xmlLimits));
  } catch (e) {
    err(`oots-adapter respond: ${file}: ${(e as Error).message}`);
    return 2;
  }
  const ep = config.evidenceProvider;
  const xml = buildErrorResponse({
    ...requestEcho(request),
    responseId: randomUUID(),
    issueDateTime: new Date().toISOString(),
    errorProvider: {
      identifier: { value: ep.identifier, schemeID: ep.scheme },
      names: [{ lang: 'EN', value: ep.name }],
      address: { adminUnitLevel1: ep.country },
      classification: 'ERRP',
    },
    exceptions: [{ code: opts.error, ...(opts.message === undefined ? {} : { message: opts.message }), ...(opts.detail === undefined ? {} : { detail: opts.detail }) }],
  });
  process.stdout.write(xml.endsWith('\n') ? xml : xml + '\n');
  return 0;
}

async function startCommand(opts: { role?: Role }): Promise<void> {
  let running: Awaited<ReturnType<typeof start>>;
  try {
    // One error lists every bad key and what the role lacks.
    running = await start(loadStartConfig(opts.role), opts.role === undefined ? {} : { role: opts.role });
  } catch (e) {
    // Always say why: a configuration problem, Redis unreachable, a port in use.
    err(`oots-adapter start: ${e instanceof Error ? e.message : String(e)}`);
    // Exit now: a half-composed process may still hold reconnecting clients or timers.
    process.exit(1);
  }
  const lines = [`OOTS adapter running (role ${running.role}); Ctrl-C stops it.`];
  if (running.url !== undefined) {
    lines.push(`  connector intake   POST ${running.url}/connector/messages`);
    lines.push(`  EDM validation     POST ${running.url}/edm/validate`);
    lines.push(`  health             GET  ${running.url}/healthz`);
  }
  if (running.sandbox.connector !== undefined) lines.push(`  connector outbox   GET  ${running.sandbox.connector}/outbox`);
  if (running.sandbox.dagr !== undefined) lines.push(`  DAGR sandbox            ${running.sandbox.dagr}`);
  if (running.sandbox.redis !== undefined) lines.push(`  private Redis           ${running.sandbox.redis}`);
  if (running.sandbox.idp !== undefined) lines.push(`  preview login (OIDC)    ${running.sandbox.idp}`);
  if (running.sandbox.domibus !== undefined) lines.push(`  Domibus stand-in        ${running.sandbox.domibus}`);
  lines.push('  try it:             npx oots-adapter send examples/requests/lv-birth-certificate-pdf.xml');
  process.stderr.write(lines.join('\n') + '\n');
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

async function domibusSelfTestCommand(): Promise<number> {
  const config = loadConfig();
  const d = config.domibus;
  if (d.url === undefined) {
    err('oots-adapter domibus selftest: set DOMIBUS_WS_URL, DOMIBUS_USER and DOMIBUS_PASSWORD');
    return 2;
  }
  const client = createDomibusClient({ url: d.url, user: d.user ?? '', password: d.password ?? '', timeoutMs: d.timeoutMs });
  try {
    const result = await domibusSelfTest(client);
    (result.ok ? out : err)(result.detail);
    // The plugin's WSDL: the operations and the markAsDownloaded attribute this retrieve mode needs.
    const wsdl = await checkPluginWsdl({ url: d.url, user: d.user ?? '', password: d.password ?? '', timeoutMs: d.timeoutMs, mode: d.retrieveMode });
    for (const line of wsdl.lines) (wsdl.ok ? out : err)(`${d.url}?wsdl: ${line}`);
    return result.ok && wsdl.ok ? 0 : 1;
  } finally {
    client.close();
  }
}

async function sendCommand(
  file: string,
  opts: { url?: string; token?: string; out: string; timeout: string; messageId?: string },
): Promise<number> {
  const config = loadConfig();
  const apiUrl = opts.url ?? `http://${config.http.host}:${config.http.port}`;
  const token = opts.token ?? config.connector.inboundToken ?? localConnectorToken(path.resolve(config.dataDir));
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    err(`oots-adapter send: ${(e as Error).message}`);
    return 2;
  }
  try {
    const recipient = providerAgent(config.evidenceProvider).identifier;
    const result = await send(bytes, {
      apiUrl,
      token,
      outDir: opts.out,
      timeoutMs: Number(opts.timeout),
      ...(opts.messageId === undefined ? {} : { messageId: opts.messageId }),
      ...(recipient === undefined ? {} : { recipient }),
    });
    const s = result.summary;
    if (result.delivery === 'duplicate')
      err('transport duplicate: the adapter already had a message with this MessageId; showing the answer it sent for it');
    if (result.earlier !== undefined)
      err(
        `request id ${s.requestId ?? ''} was seen before (${result.earlier.count} earlier answer(s) to it in the stand-in's outbox)` +
          (result.earlier.sameAnswer
            ? ': answered with the stored answer of the first request (same RegRep document and evidence)'
            : ': answered on its own'),
      );
    err(`answer: ${s.action} ${s.status ?? ''}${s.errorCode === undefined ? '' : ` ${s.errorCode}`} (${result.files.length} part(s))`);
    for (const f of result.files) err(`  wrote ${f}`);
    process.stdout.write(result.regrep.endsWith('\n') ? result.regrep : result.regrep + '\n');
    return s.action === 'ExecuteQueryResponse' ? 0 : 1;
  } catch (e) {
    err(`oots-adapter send: ${(e as Error).message}`);
    return 2;
  }
}

export async function main(argv: readonly string[]): Promise<void> {
  const program = new Command('oots-adapter').description('OOTS evidence-provider adapter for Latvia (DAGR)').exitOverride();
  let exit = 0;
  program
    .command('validate')
    .description('judge OOTS EDM messages (XSD and EDM rules by ID); one JSON object per file; exit 0 valid, 1 rule violations, 2 unreadable XML')
    .argument('<files...>')
    .option('--info', 'also list informational findings (things that MAY be present)')
    .action((files: string[], opts: { info?: boolean }) => {
      exit = validateCommand(files, opts);
    });
  program
    .command('respond')
    .description('print the EDM error response the adapter would send for a request')
    .argument('<request>', 'QueryRequest XML file')
    .requiredOption('--error <code>', 'EDM error code, e.g. EDM:ERR:0004', parseEdmCode)
    .option('--detail <text>', 'detail text (the rule or cause)')
    .option('--message <text>', 'message text (defaults to the code list name)')
    .action((file: string, opts: { error: EdmErrorCode; detail?: string; message?: string }) => {
      exit = respondCommand(file, opts);
    });
  program
    .command('start')
    .description('run the adapter (with no REDIS_URL/DAGR_BASE_URL/CONNECTOR_OUTBOUND_URL: the embedded default)')
    .option('--role <role>', 'api | worker | all (default: ADAPTER_ROLE, else all)')
    .action(async (opts: { role?: Role }) => {
      await startCommand(opts);
    });
  const domibusCmd = program.command('domibus').description('the Domibus WS plugin connection (CONNECTOR_MODE=domibus-ws)');
  domibusCmd
    .command('selftest')
    .description("check the connection to Domibus: lists pending messages with the plugin user, and checks the plugin's WSDL for what DOMIBUS_RETRIEVE_MODE needs")
    .action(async () => {
      exit = await domibusSelfTestCommand();
    });
  program
    .command('send')
    .description('post a QueryRequest as the eDelivery connector would, wait for the answer, print it and save its parts')
    .argument('<request>', 'QueryRequest XML file')
    .option('--url <url>', 'adapter API base URL (default http://HTTP_HOST:HTTP_PORT)')
    .option('--token <token>', 'connector bearer token (default CONNECTOR_INBOUND_TOKEN or the embedded default\'s)')
    .option('--out <dir>', 'where to write the response and evidence files', 'out')
    .option('--timeout <ms>', 'how long to wait for the answer', '30000')
    .option('--message-id <id>', 'the AS4 MessageId to send under (default: a new one); the same id again is a transport duplicate')
    .action(async (file: string, opts: { url?: string; token?: string; out: string; timeout: string; messageId?: string }) => {
      exit = await sendCommand(file, opts);
    });
  registerMappingCommands(program, (code) => {
    exit = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode;
    // Commander has printed its own message; anything else has not been said yet.
    if (code === undefined) err(`oots-adapter: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = code === 0 ? 0 : 2;
    return;
  }
  process.exitCode = exit;
}
