/** Runs the `oots-adapter` command from the TypeScript sources in a child process. */
import { spawnSync } from 'node:child_process';

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(args: readonly string[], env: Record<string, string> = {}): CliRun {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', "import('./src/cli/index.ts').then((m) => m.main(process.argv.slice(1)))", '--', ...args],
    { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', LOG_LEVEL: 'silent', ...env }, timeout: 60_000 },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
