/**
 * A small pool of threads that parse and validate untrusted XML (`POST /edm/validate`, connector
 * payloads in the worker, Domibus push bodies), so that one slow document cannot block intake,
 * the preview and `/healthz` for everyone on the event loop. Each document has a time limit,
 * counted from when a thread starts it (not while it waits in the queue, or a flood of slow
 * documents would get honest ones refused), and each thread a heap limit; past either the document
 * is refused with ERR_XML_TOO_LARGE (EDM:ERR:0003) and the thread is replaced. The process lives on.
 *
 * Why piscina: it is the pool the Node.js project maintains, it terminates a thread whose task is
 * aborted and starts another, and it passes resource limits through. A hand-made pool would
 * have to get those three right itself.
 */
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { SoapDocument } from '../connector/domibus/soap.js';
import { SoapProtocolError } from '../connector/domibus/soap.js';
import { AdapterError, XmlInputError } from '../errors.js';
import type { ValidationReport } from '../edm/validate.js';
import type { XmlLimits } from '../edm/xml/parse.js';
import type { ParseAnswer, ParseTask, ParseThreadData, RequestTree } from './thread.js';

export interface ParsePoolOptions {
  readonly threads: number;
  /** Longest one document may run in its thread. */
  readonly timeLimitMs: number;
  /**
   * Most documents waiting for a thread; one more from `validate` or `readSoap` is refused at once
   * with ERR_PARSE_BUSY (`readRequest` is bounded by the worker's concurrency). Unbounded,
   * a flood would hold a copy of every waiting document (up to XML_MAX_BYTES each) and make an
   * honest request wait behind all of them. Default 16.
   */
  readonly maxQueue?: number;
  /** Heap limit of each thread, in MiB. */
  readonly maxHeapMb: number;
  readonly limits: XmlLimits;
  /** A thread idle this long ends (default 10 s); the next document starts one again. */
  readonly idleMs?: number;
}

export interface ParsePool {
  /** The judgement of `POST /edm/validate`; throws XmlInputError for unsafe, malformed or too costly XML. */
  validate(bytes: Uint8Array): Promise<ValidationReport>;
  /** A connector payload's tree with the XSD findings of a v1.0 QueryRequest; throws XmlInputError. */
  readRequest(bytes: Uint8Array): Promise<RequestTree>;
  /** A Domibus push body; throws XmlInputError or SoapProtocolError. */
  readSoap(bytes: Uint8Array): Promise<SoapDocument>;
  /** Documents refused for their time or memory since the start (for tests and metrics). */
  readonly refusedForCost: () => number;
  /** Documents refused unread because the queue was full (ERR_PARSE_BUSY). */
  readonly refusedBusy: () => number;
  close(): Promise<void>;
}

// From the TypeScript sources (tests, `npm run dev`) the thread loads TypeScript through tsx, the
// way the process itself was started; from dist it loads the compiled module.
function threadModule(): { filename: string; execArgv: string[] } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { filename: new URL('./thread.js', here).href, execArgv: [] };
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import { register } from ${JSON.stringify(tsx)}; register();`;
  return {
    filename: new URL('./thread.ts', here).href,
    execArgv: ['--import', `data:text/javascript,${encodeURIComponent(boot)}`],
  };
}

export function createParsePool(options: ParsePoolOptions): ParsePool {
  const { filename, execArgv } = threadModule();
  const workerData: ParseThreadData = { limits: options.limits };
  const pool = new Piscina({
    filename,
    execArgv,
    workerData,
    // A thread that parsed a large document keeps its grown heap and WebAssembly memory (libxml2's
    // never shrinks) until it ends: no thread is kept warm, an idle one ends, so after a burst of
    // large documents the memory goes back. The price: a thread start for the first document after
    // a quiet spell.
    minThreads: 0,
    maxThreads: options.threads,
    idleTimeout: options.idleMs ?? 10_000,
    resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb, maxYoungGenerationSizeMb: 32 },
  });
  let refused = 0;
  const maxQueue = options.maxQueue ?? 16;
  let busy = 0;

  // A thread ended by a time limit or a crash is only replaced up to minThreads (0 here), which
  // would strand the documents queued behind it; a new task makes piscina start a thread.
  const restartIfStranded = (): void => {
    if (pool.queueSize > 0) pool.run({ kind: 'ping' } satisfies ParseTask).catch(() => undefined);
  };

  async function run<T>(kind: Exclude<ParseTask['kind'], 'ping'>, bytes: Uint8Array): Promise<T> {
    // Connector payloads are exempt: the worker's own concurrency (WORKER_CONCURRENCY) bounds how
    // many it sends, and a flood on the public validate route must not get honest exchanges
    // retried into EDM:ERR:0008; they wait behind at most `maxQueue` documents instead.
    if (kind !== 'request' && pool.queueSize >= maxQueue) {
      busy++;
      throw new AdapterError(
        'ERR_PARSE_BUSY',
        `all ${options.threads} parse threads are busy and ${maxQueue} documents already wait for one (PARSE_QUEUE_MAX)`,
      );
    }
    const channel = new MessageChannel();
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    channel.port1.once('message', () => {
      timer = setTimeout(() => abort.abort(), options.timeLimitMs);
    });
    // A copy: the caller's buffer may be a slice of a larger pooled one.
    const copy = new Uint8Array(bytes);
    const task: ParseTask = { kind, bytes: copy, started: channel.port2 };
    let answer: ParseAnswer<T>;
    try {
      answer = (await pool.run(task, { signal: abort.signal, transferList: [channel.port2, copy.buffer] })) as ParseAnswer<T>;
    } catch (error) {
      // The thread was ended (time limit) or died (out of memory, a crash).
      restartIfStranded();
      if (abort.signal.aborted) {
        refused++;
        throw new XmlInputError('ERR_XML_TOO_LARGE', `the document took longer than ${options.timeLimitMs} ms to parse and validate`, { cause: error });
      }
      if (isOutOfMemory(error)) {
        refused++;
        throw new XmlInputError('ERR_XML_TOO_LARGE', `the document needs more than the ${options.maxHeapMb} MiB a parse may use`, { cause: error });
      }
      throw error;
    } finally {
      clearTimeout(timer);
      channel.port1.close();
    }
    if (answer.ok) return answer.value;
    const fault = answer.fault;
    if (fault.type === 'soap') throw new SoapProtocolError(fault.message);
    throw new XmlInputError(fault.code, fault.message, fault.line === undefined ? undefined : { line: fault.line });
  }

  return {
    validate: (bytes) => run<ValidationReport>('validate', bytes),
    readRequest: (bytes) => run<RequestTree>('request', bytes),
    readSoap: (bytes) => run<SoapDocument>('soap', bytes),
    refusedForCost: () => refused,
    refusedBusy: () => busy,
    close: async () => {
      await pool.destroy();
      // The pool is an async resource that would otherwise only end when collected.
      pool.emitDestroy();
    },
  };
}

function isOutOfMemory(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ERR_WORKER_OUT_OF_MEMORY';
}
