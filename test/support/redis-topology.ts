/**
 * Real Redis topologies for the fail-over suite, started from Debian's `redis-server` on ports of
 * their own (never 6379), each in a temporary directory: a master with a replica watched by three
 * sentinels (`redis-server <conf> --sentinel`, what the `redis-sentinel` binary runs), or a
 * three-master Cluster (`redis-cli --cluster create`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../src/sandbox/redis.js';
import { sleep } from './stress-harness.js';

export interface RedisNode {
  readonly port: number;
  readonly child: ChildProcess;
  kill(signal?: NodeJS.Signals): void;
}

async function waitForPing(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    try {
      await r.connect();
      if ((await r.ping()) === 'PONG') return;
    } catch {
      // not yet
    } finally {
      r.disconnect();
    }
    if (Date.now() > deadline) throw new Error(`redis on ${port} did not answer PING`);
    await sleep(100);
  }
}

export async function startRedisNode(
  dir: string,
  args: string[],
  port?: number,
  sentinelConf?: string,
): Promise<RedisNode> {
  const p = port ?? (await freePort());
  mkdirSync(dir, { recursive: true });
  const argv =
    sentinelConf === undefined
      ? ['--port', String(p), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...args]
      : [sentinelConf, '--sentinel', '--port', String(p), '--bind', '127.0.0.1', '--dir', dir];
  const child = spawn('redis-server', argv, { stdio: 'ignore' });
  await waitForPing(p);
  return {
    port: p,
    child,
    kill: (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/**
 * A raw TCP link from the replica to its master that can hold back the replication stream: a
 * lagging replica. (SIGSTOP of the replica does not make one on loopback: the kernel keeps
 * receiving the stream into the stopped replica's socket buffer, and it catches up on SIGCONT.)
 * `cut()` closes the link and drops what it held, as the death of the master does.
 */
export interface ReplicationLink {
  readonly port: number;
  hold(): void;
  cut(): void;
}

export async function startReplicationLink(masterPort: number): Promise<ReplicationLink> {
  let holding = false;
  const pairs = new Set<[Socket, Socket]>();
  const server = createServer((replica) => {
    const master = createConnection({ host: '127.0.0.1', port: masterPort });
    const pair: [Socket, Socket] = [replica, master];
    pairs.add(pair);
    replica.pipe(master);
    master.on('data', (chunk: Buffer) => {
      if (!holding) replica.write(chunk);
    });
    const end = (): void => {
      replica.destroy();
      master.destroy();
      pairs.delete(pair);
    };
    replica.on('close', end).on('error', end);
    master.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    hold: () => {
      holding = true;
    },
    cut: () => {
      server.close();
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
    },
  };
}

export interface SentinelSet {
  readonly master: RedisNode;
  readonly replica: RedisNode;
  /** The replica replicates through it. */
  readonly link: ReplicationLink;
  readonly sentinels: RedisNode[];
  readonly name: string;
  /** REDIS_URL for the adapter. */
  readonly url: string;
  /** The port the sentinels name as master now. */
  masterPort(): Promise<number>;
  stop(): void;
}

const PERSISTENCE = ['--appendonly', 'yes', '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction'];

export async function startSentinelSet(dir: string, opts: { downAfterMs?: number } = {}): Promise<SentinelSet> {
  const name = 'oots-failover';
  const master = await startRedisNode(path.join(dir, 'master'), PERSISTENCE);
  const link = await startReplicationLink(master.port);
  const replica = await startRedisNode(path.join(dir, 'replica'), [
    ...PERSISTENCE,
    '--replicaof',
    '127.0.0.1',
    String(link.port),
  ]);
  const sentinels: RedisNode[] = [];
  for (let i = 0; i < 3; i++) {
    const sdir = path.join(dir, `sentinel-${i}`);
    mkdirSync(sdir, { recursive: true });
    const conf = path.join(sdir, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `sentinel monitor ${name} 127.0.0.1 ${master.port} 2`,
        `sentinel down-after-milliseconds ${name} ${opts.downAfterMs ?? 1000}`,
        // Long enough that the sentinels do not "fix" the replica to replicate from the master's
        // own address (bypassing the link) during a run; a fail-over itself takes ~2-3 s.
        `sentinel failover-timeout ${name} 120000`,
        `sentinel parallel-syncs ${name} 1`,
        '',
      ].join('\n'),
    );
    sentinels.push(await startRedisNode(sdir, [], undefined, conf));
  }
  const ask = new Redis({ port: sentinels[0]!.port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  // Wait until the replica is in sync and the sentinels see each other.
  const deadline = Date.now() + 20_000;
  for (;;) {
    const info = (await ask.call('SENTINEL', 'MASTER', name)) as string[];
    const field = (k: string): number => Number(info[info.indexOf(k) + 1]);
    if (field('num-slaves') >= 1 && field('num-other-sentinels') >= 2) break;
    if (Date.now() > deadline) throw new Error('sentinels did not see the replica and each other in time');
    await sleep(200);
  }
  return {
    master,
    replica,
    link,
    sentinels,
    name,
    url: `redis-sentinel://${sentinels.map((s) => `127.0.0.1:${s.port}`).join(',')}/${name}`,
    async masterPort() {
      const addr = (await ask.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as string[];
      return Number(addr[1]);
    },
    stop() {
      ask.disconnect();
      link.cut();
      for (const n of [master, replica, ...sentinels]) {
        n.kill('SIGCONT');
        n.kill('SIGKILL');
      }
    },
  };
}

export interface ClusterSet {
  readonly nodes: RedisNode[];
  readonly url: string;
  stop(): void;
}

export async function startCluster(dir: string, opts: { appendonly?: boolean } = {}): Promise<ClusterSet> {
  const nodes: RedisNode[] = [];
  for (let i = 0; i < 3; i++) {
    const ndir = path.join(dir, `node-${i}`);
    nodes.push(
      await startRedisNode(ndir, [
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        path.join(ndir, 'nodes.conf'),
        '--appendonly',
        opts.appendonly === false ? 'no' : 'yes',
        '--maxmemory-policy',
        'noeviction',
      ]),
    );
  }
  const r = spawnSync(
    'redis-cli',
    ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'],
    { encoding: 'utf8', timeout: 30_000 },
  );
  if (r.status !== 0) throw new Error(`redis-cli --cluster create failed: ${r.stdout}${r.stderr}`);
  // Wait until every node reports the cluster ok.
  const deadline = Date.now() + 20_000;
  for (const n of nodes) {
    const c = new Redis({ port: n.port, host: '127.0.0.1' });
    try {
      while (!/cluster_state:ok/.test((await c.call('CLUSTER', 'INFO')) as string)) {
        if (Date.now() > deadline) throw new Error('cluster did not become ok in time');
        await sleep(200);
      }
    } finally {
      c.disconnect();
    }
  }
  return {
    nodes,
    url: `redis-cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`,
    stop() {
      for (const n of nodes) n.kill('SIGKILL');
    },
  };
}
