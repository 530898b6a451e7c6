/**
 * Starts `oots-adapter start` as real child processes (from the TypeScript sources) and waits
 * for their "adapter ready" log line, which carries the URLs they listen on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface AdapterProcess {
  readonly child: ChildProcess;
  readonly ready: {
    api?: string;
    sandbox: { dagr?: string; connector?: string; redis?: string; idp?: string; domibus?: string };
  };
  /** Every JSON log line the process printed so far. */
  readonly logs: Record<string, unknown>[];
  /** Raw stdout and stderr lines (for log-content checks). */
  readonly raw: string[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Extra Node flags for every started process (benchmarks: `ADAPTER_NODE_ARGS=--cpu-prof`). */
const nodeArgs = (process.env.ADAPTER_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
/**
 * `ADAPTER_FROM=dist` runs the compiled build as `npm start` does (the benchmarks; build first);
 * otherwise the TypeScript sources through tsx, so tests see the code as it is now.
 */
const entry = (): string[] =>
  process.env.ADAPTER_FROM === 'dist' ? ['bin/oots-adapter.js'] : ['--import', 'tsx', 'src/cli/entry.ts'];

export function startAdapter(env: Record<string, string>, args: string[] = []): Promise<AdapterProcess> {
  return startNodeProcess([...entry(), 'start', ...args], env);
}

/**
 * Runs `node ARGV` (with ADAPTER_NODE_ARGS) and waits for its JSON "adapter ready" line: the
 * adapter, or any process that announces itself the same way (the benchmark's floor processes).
 */
export async function startNodeProcess(argv: string[], env: Record<string, string>): Promise<AdapterProcess> {
  const child = spawn(process.execPath, [...nodeArgs, ...argv], {
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  createInterface({ input: child.stderr }).on('line', (line) => raw.push(line));
  const ready = await new Promise<AdapterProcess['ready']>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`adapter did not start in time:\n${raw.slice(-20).join('\n')}`)),
      60_000,
    );
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`adapter exited (${code}) before it was ready:\n${raw.slice(-20).join('\n')}`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      raw.push(line);
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.msg === 'adapter ready') {
          clearTimeout(timer);
          resolve(entry as unknown as AdapterProcess['ready']);
        }
      } catch {
        // not a log line
      }
    });
  });
  return {
    child,
    ready,
    logs,
    raw,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
