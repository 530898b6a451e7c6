/**
 * `oots-adapter mappings ...`: the data controller's commands for evidence mappings.
 *
 *   validate [FILE...]          schema + semantic checks (+ DAGR fields against the dataset definition)
 *   new --service NAME          a starter mapping from a DAGR dataset definition (fails validate until filled in)
 *   try FILE --subject ID       the evidence and the QueryResponse a requester would get for a test subject
 *   dsd FILE                    what to register in the OOTS Data Service Directory
 *
 * Thin shells: the checks live in src/mapping, the try in src/mapping-store/try-mapping.ts.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig, type Config } from '../config.js';
import {
  connectDagr as connectCoreDagr,
  createEvidenceRenderer,
  tryDepsFor,
  type DagrConnection,
} from '../compose/evidence.js';
import { EDM_VERSIONS } from '../edm/model.js';
import type { DatasetDefinitions } from '../mapping/definitions.js';
import { dsdRegistration, formatDsdText } from '../mapping/dsd.js';
import type { EvidenceMapping } from '../mapping/model.js';
import { formatProblems, parseMappingSource, type MappingProblem } from '../mapping/parse.js';
import { canonicalEvidenceType, evidenceTypeClashes, type ServedBy } from '../mapping/registry.js';
import { starterMapping } from '../mapping/starter.js';
import {
  definitionsFromServiceList,
  loadDefinitionsDir,
  sandboxDefinitions,
} from '../mapping-store/definitions-source.js';
import { describeTry, tryMapping } from '../mapping-store/try-mapping.js';
import { loadEdmXsdValidator } from '../resources/edm-xsd.js';
import { readMappingSchema } from '../resources/mappings.js';
import { packageRoot } from '../resources/schema-files.js';

function out(line: string): void {
  process.stdout.write(line + '\n');
}
function err(line: string): void {
  process.stderr.write(line + '\n');
}

interface DefinitionOptions {
  readonly definitions?: string;
  readonly dagr?: string;
  readonly key?: string;
}

/** The configured DAGR (`--dagr URL --key FILE`) or the embedded sandbox, started in this process. */
async function connectDagr(config: Config, opts: DefinitionOptions): Promise<DagrConnection & { label: string }> {
  if (opts.dagr !== undefined) {
    if (opts.key === undefined)
      throw new UsageError('--dagr needs --key FILE (the private key of the DAGR connection)');
    const conn = await connectCoreDagr(config, { baseUrl: opts.dagr, privateKey: readFileSync(opts.key, 'utf8') });
    return { ...conn, label: opts.dagr };
  }
  const conn = await connectCoreDagr(config, { sandbox: true, host: '127.0.0.1' });
  return { ...conn, label: 'the embedded DAGR sandbox' };
}

class UsageError extends Error {}

/** Dataset definitions: `--definitions DIR`, DAGR's service_list (`--dagr`), else the sandbox datasets. */
async function definitionsFor(opts: DefinitionOptions): Promise<{ defs: DatasetDefinitions; label: string }> {
  if (opts.definitions !== undefined) return { defs: loadDefinitionsDir(opts.definitions), label: opts.definitions };
  if (opts.dagr !== undefined) {
    const conn = await connectDagr(loadConfig(), opts);
    try {
      return {
        defs: definitionsFromServiceList(await conn.client.serviceList()),
        label: `DAGR service_list at ${opts.dagr}`,
      };
    } finally {
      await conn.close();
    }
  }
  return { defs: sandboxDefinitions(), label: 'the DAGR sandbox datasets (src/sandbox/dagr-data)' };
}

function defaultFiles(): string[] {
  const dir = path.join(packageRoot(), 'mappings');
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/i.test(f))
    .sort()
    .map((f) => {
      const full = path.join(dir, f);
      const relative = path.relative(process.cwd(), full);
      return relative.startsWith('..') || path.isAbsolute(relative) ? full : relative;
    });
}

export interface ValidateReport {
  readonly file: string;
  readonly ok: boolean;
  readonly id?: string;
  readonly version?: string;
  readonly problems: readonly MappingProblem[];
  /** Set when the dataset has no definition to check the DAGR fields against. */
  readonly note?: string;
}

async function validateCommand(files: string[], opts: DefinitionOptions & { json?: boolean }): Promise<number> {
  const list = files.length === 0 ? defaultFiles() : files;
  const { defs, label } = await definitionsFor(opts);
  const schema = readMappingSchema();
  const reports: ValidateReport[] = [];
  const servedBy: ServedBy = new Map();
  let unreadable = false;
  for (const file of list) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      unreadable = true;
      reports.push({
        file,
        ok: false,
        problems: [
          {
            file,
            line: undefined,
            field: '',
            message: `cannot read the file (${(e as Error).message})`,
            hint: 'check the path',
          },
        ],
      });
      continue;
    }
    const r = parseMappingSource(text, file, schema, { definitions: defs });
    if (!r.ok) {
      reports.push({ file, ok: false, problems: r.problems });
      continue;
    }
    const problems = evidenceTypeClashes(file, r.mapping, r.evidenceTypeLines, servedBy);
    const note = defs.has(r.mapping.dagr.service)
      ? undefined
      : `no dataset definition for DAGR service ${r.mapping.dagr.service} in ${label}: record fields not checked (give --definitions DIR or --dagr URL --key FILE)`;
    reports.push({
      file,
      ok: problems.length === 0,
      id: r.mapping.id,
      version: r.mapping.version,
      problems,
      ...(note === undefined ? {} : { note }),
    });
  }
  if (opts.json === true) for (const r of reports) out(JSON.stringify(r));
  else
    for (const r of reports) {
      if (r.ok) out(`ok   ${r.file} (${r.id ?? ''} ${r.version ?? ''})`);
      else out(`FAIL ${r.file}\n${formatProblems(r.problems).split('\n').slice(1).join('\n')}`);
      if (r.note !== undefined) out(`     note: ${r.note}`);
    }
  const failed = reports.filter((r) => !r.ok).length;
  if (opts.json !== true)
    err(
      failed === 0
        ? `${String(reports.length)} mapping(s) valid (fields checked against ${label})`
        : `${String(failed)} of ${String(reports.length)} mapping(s) have problems`,
    );
  return unreadable ? 2 : failed > 0 ? 1 : 0;
}

async function newCommand(
  opts: DefinitionOptions & { service: string; out?: string; permission?: string; force?: boolean },
): Promise<number> {
  const { defs, label } = await definitionsFor(opts);
  const d = defs.get(opts.service);
  if (d === undefined) {
    err(
      `oots-adapter mappings new: no dataset definition for ${opts.service} in ${label}; known: ${[...defs.keys()].join(', ') || 'none'}`,
    );
    return 2;
  }
  const text = starterMapping(d, { permission: opts.permission });
  if (opts.out === undefined) {
    process.stdout.write(text);
  } else {
    if (existsSync(opts.out) && opts.force !== true) {
      err(`oots-adapter mappings new: ${opts.out} exists (use --force to overwrite)`);
      return 2;
    }
    mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
    writeFileSync(opts.out, text);
    err(`wrote ${opts.out}`);
  }
  err(
    `This starter mapping fails \`oots-adapter mappings validate\` until you replace every TODO (labels in Latvian and English, evidence type, data model URI, issuing authority${opts.permission === undefined ? ', permission' : ''}) and remove the fields the evidence must not show.`,
  );
  return 0;
}

interface TryOptions extends DefinitionOptions {
  subject: string;
  format?: string;
  out?: string;
  familyName?: string;
  givenName?: string;
  dateOfBirth?: string;
  legalName?: string;
  json?: boolean;
}

/** A mapping file read and parsed for a command, or the exit code when it cannot be (2 unreadable, 1 invalid, problems printed). */
function readMappingFile(file: string, command: string): EvidenceMapping | 1 | 2 {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    err(`oots-adapter mappings ${command}: ${(e as Error).message}`);
    return 2;
  }
  const parsed = parseMappingSource(text, file, readMappingSchema());
  if (!parsed.ok) {
    out(formatProblems(parsed.problems));
    return 1;
  }
  return parsed.mapping;
}

async function tryCommand(file: string, opts: TryOptions): Promise<number> {
  const config = loadConfig();
  const parsed = readMappingFile(file, 'try');
  if (typeof parsed === 'number') return parsed;
  const mapping = parsed;
  const format =
    opts.format === undefined
      ? undefined
      : opts.format === 'pdf'
        ? 'application/pdf'
        : opts.format === 'xml'
          ? 'application/xml'
          : opts.format;
  const conn = await connectDagr(config, opts);
  const xsd = loadEdmXsdValidator();
  try {
    const result = await tryMapping(
      mapping,
      {
        subject: {
          id: opts.subject,
          familyName: opts.familyName,
          givenName: opts.givenName,
          dateOfBirth: opts.dateOfBirth,
          legalName: opts.legalName,
        },
        format,
      },
      tryDepsFor(config, { dagr: conn.client, renderer: createEvidenceRenderer(), xsd }),
    );
    const dir = opts.out ?? path.join('out', `try-${mapping.id}`);
    mkdirSync(dir, { recursive: true });
    const written = [path.join(dir, 'query-request.xml'), path.join(dir, 'query-response.xml')];
    writeFileSync(written[0]!, result.requestXml);
    writeFileSync(written[1]!, result.responseXml);
    if (result.evidence !== undefined) {
      const evidenceFile = path.join(dir, result.evidence.fileName);
      writeFileSync(evidenceFile, result.evidence.bytes);
      written.push(evidenceFile);
    }
    if (opts.json === true)
      out(
        JSON.stringify({
          mappingId: result.mappingId,
          mappingVersion: result.mappingVersion,
          dagr: conn.label,
          lookup: result.lookup,
          match: result.match === undefined ? null : { matched: result.match.matched, failed: result.match.failed },
          summary: result.summary,
          files: written,
        }),
      );
    else {
      out(`DAGR: ${conn.label}`);
      for (const line of describeTry(result)) out(line);
      for (const f of written) out(`wrote ${f}`);
    }
    return result.summary.outcome === 'evidence' ? 0 : 1;
  } finally {
    xsd.dispose();
    await conn.close();
  }
}

function dsdCommand(
  file: string,
  opts: {
    json?: boolean;
    partyId: string;
    partyIdType: string;
    edmVersions?: string;
    identifier?: string;
    country?: string;
  },
): number {
  const config = loadConfig();
  const parsed = readMappingFile(file, 'dsd');
  if (typeof parsed === 'number') return parsed;
  const m = parsed;
  const identifier = opts.identifier ?? nameBasedUuid(canonicalEvidenceType(m.evidenceTypes[0]!));
  const registration = dsdRegistration(
    m,
    {
      partyId: opts.partyId,
      partyIdType: opts.partyIdType,
      conformsTo: opts.edmVersions === undefined ? EDM_VERSIONS : opts.edmVersions.split(',').map((v) => v.trim()),
      country: opts.country ?? config.evidenceProvider.country,
    },
    identifier,
  );
  if (opts.json === true) out(JSON.stringify(registration, null, 2));
  else {
    process.stdout.write(formatDsdText(registration));
    if (opts.identifier === undefined)
      out(
        '\nThe Identifier above is derived from the evidence type; use the one the DSD assigns if it differs (requests echo it).',
      );
  }
  return 0;
}

/** A UUID (version 5 layout, SHA-1 of the name): the same evidence type always gets the same one. */
function nameBasedUuid(name: string): string {
  const h = createHash('sha1').update(`oots-adapter:dsd:${name}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

async function guarded(name: string, fn: () => Promise<number> | number): Promise<number> {
  try {
    return await fn();
  } catch (e) {
    err(`oots-adapter mappings ${name}: ${(e as Error).message}`);
    return 2;
  }
}

/**
 * Adds `mappings validate|new|try|dsd` to the program. `setExit` receives each command's exit
 * code: 0 fine, 1 problems found (invalid mapping, no evidence), 2 usage or I/O error.
 */
export function registerMappingCommands(program: Command, setExit: (code: number) => void): void {
  const cmd = program
    .command('mappings')
    .description('evidence mappings for data controllers: validate, new, try, dsd');
  const definitionOptions = (c: Command): Command =>
    c
      .option('--definitions <dir>', 'folder of DAGR dataset definition files (JSON: service_name, fields)')
      .option('--dagr <url>', 'a real DAGR (base URL); definitions from its service_list')
      .option('--key <file>', 'private key (PEM) of the DAGR connection, with --dagr');
  definitionOptions(
    cmd
      .command('validate')
      .description(
        'check mapping files (default: every file in mappings/): schema, semantics, DAGR fields; exit 1 on problems',
      )
      .argument('[files...]')
      .option('--json', 'one JSON object per file'),
  ).action(async (files: string[], opts: DefinitionOptions & { json?: boolean }) => {
    setExit(await guarded('validate', () => validateCommand(files, opts)));
  });
  definitionOptions(
    cmd
      .command('new')
      .description(
        'write a starter mapping from a DAGR dataset definition (labels left TODO: it fails validate until filled in)',
      )
      .requiredOption('--service <name>', 'DAGR service_name of the dataset')
      .option('--out <file>', 'where to write it (default: standard output)')
      .option('--permission <number>', 'VIRSIS permission number')
      .option('--force', 'overwrite --out if it exists'),
  ).action(
    async (opts: DefinitionOptions & { service: string; out?: string; permission?: string; force?: boolean }) => {
      setExit(await guarded('new', () => newCommand(opts)));
    },
  );
  cmd
    .command('try')
    .description(
      'look a test subject up in DAGR and write the evidence and the full QueryResponse a requester would get',
    )
    .argument('<file>', 'mapping file')
    .requiredOption('--subject <id>', 'personal code, registration number or eIDAS identifier of a test subject')
    .option('--format <format>', 'pdf | xml (default: the first distribution)')
    .option('--out <dir>', 'where to write the files (default out/try-<id>)')
    .option('--family-name <name>', "family name the request carries (default: the record's, so it matches)")
    .option('--given-name <name>', "given name the request carries (default: the record's)")
    .option('--date-of-birth <date>', "date of birth the request carries (default: the record's)")
    .option('--legal-name <name>', "legal name the request carries (default: the record's)")
    .option('--dagr <url>', 'a real DAGR base URL (default: the embedded sandbox, started in this process)')
    .option('--key <file>', 'private key (PEM) of the DAGR connection, with --dagr')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, opts: TryOptions) => {
      setExit(await guarded('try', () => tryCommand(file, opts)));
    });
  cmd
    .command('dsd')
    .description('print what to register in the OOTS Data Service Directory for a mapping')
    .argument('<file>', 'mapping file')
    .option('--json', 'JSON instead of text')
    .option('--party-id <id>', "eDelivery party id of the adapter's access point", 'AP_LV_OOTS')
    .option('--party-id-type <type>', 'party id type', 'urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots')
    .option('--edm-versions <list>', `EDM versions answered, comma-separated (default ${EDM_VERSIONS.join(',')})`)
    .option('--identifier <uuid>', 'the DataServiceEvidenceType identifier assigned in the DSD')
    .option('--country <cc>', 'jurisdiction (default EP_COUNTRY)')
    .action(
      async (
        file: string,
        opts: {
          json?: boolean;
          partyId: string;
          partyIdType: string;
          edmVersions?: string;
          identifier?: string;
          country?: string;
        },
      ) => {
        setExit(await guarded('dsd', () => dsdCommand(file, opts)));
      },
    );
}
