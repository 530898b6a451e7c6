/**
 * The private Redis of the embedded default: `redis-server` from PATH, bound to 127.0.0.1, with
 * AOF on (`appendonly yes`, `appendfsync everysec`: a crash of the host can lose about the last
 * second of writes; `always` trades throughput for none), `maxmemory-policy noeviction` (what
 * BullMQ needs) and its data under `dir` (default var/redis), so accepted requests survive a
 * restart of the adapter.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { resolve } from 'node:path';
import { AdapterError } from '../errors.js';

export interface PrivateRedisOptions {
  /** Data directory (AOF, pid file). Default `var/redis`. */
  readonly dir?: string;
  /** Port on 127.0.0.1; 0 or undefined = a free one. */
  readonly port?: number;
  /** AOF fsync policy. Default `everysec`. */
  readonly appendfsync?: 'everysec' | 'always';
  /** Executable. Default `redis-server` (from PATH). */
  readonly command?: string;
  /** How long to wait for PING. Default 10 s. */
  readonly startTimeoutMs?: number;
}

export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Shuts Redis down (SIGTERM: it flushes the AOF first) and waits for the exit. */
  stop(): Promise<void>;
}

const INSTALL_HINT =
  'redis-server was not found on PATH. The embedded default starts its own Redis: install it ' +
  '(Debian/Ubuntu: `sudo apt-get install redis-server`; macOS: `brew install redis`) or set REDIS_URL ' +
  'to an existing Redis (7+, maxmemory-policy noeviction, appendonly yes).';

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One PING over a raw socket (no client library, no reconnect noise). */
function ping(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let buf = '';
    const finish = (ok: boolean): void => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(500, () => finish(false));
    socket.on('error', () => finish(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n')) finish(buf.startsWith('+PONG'));
    });
  });
}

export async function startPrivateRedis(opts: PrivateRedisOptions = {}): Promise<PrivateRedis> {
  const dir = resolve(opts.dir ?? 'var/redis');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pidFile = resolve(dir, 'redis.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) {
      throw new AdapterError(
        'ERR_REDIS_UNAVAILABLE',
        `another private Redis (pid ${pid}) already uses ${dir}; stop that adapter first (two servers must not share one AOF)`,
      );
    }
    rmSync(pidFile, { force: true });
  }
  const port = opts.port !== undefined && opts.port > 0 ? opts.port : await freePort();
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--protected-mode',
    'yes',
    '--dir',
    dir,
    '--pidfile',
    pidFile,
    '--daemonize',
    'no',
    '--appendonly',
    'yes',
    '--appendfsync',
    opts.appendfsync ?? 'everysec',
    '--save',
    '',
    '--maxmemory-policy',
    'noeviction',
    '--loglevel',
    'warning',
    '--logfile',
    resolve(dir, 'redis.log'),
  ];
  const child: ChildProcess = spawn(opts.command ?? 'redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-2000);
  });
  const exited = new Promise<{ code: number | null; error?: NodeJS.ErrnoException }>((done) => {
    child.once('error', (error) => done({ code: null, error }));
    child.once('exit', (code) => done({ code }));
  });

  const deadline = Date.now() + (opts.startTimeoutMs ?? 10_000);
  let early: { code: number | null; error?: NodeJS.ErrnoException } | undefined;
  void exited.then((e) => {
    early = e;
  });
  while (!(await ping(port))) {
    if (early !== undefined) {
      if (early.error?.code === 'ENOENT') throw new AdapterError('ERR_REDIS_UNAVAILABLE', INSTALL_HINT);
      const log = existsSync(resolve(dir, 'redis.log'))
        ? readFileSync(resolve(dir, 'redis.log'), 'utf8').slice(-1000)
        : '';
      throw new AdapterError(
        'ERR_REDIS_UNAVAILABLE',
        `redis-server exited (code ${String(early.code)}): ${(stderr + log).trim()}`,
      );
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new AdapterError('ERR_REDIS_UNAVAILABLE', `redis-server did not answer PING on 127.0.0.1:${port} in time`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }

  let stopping: Promise<void> | undefined;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid ?? 0,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          await exited;
        }
      })();
      return stopping;
    },
  };
}
