/**
 * A TCP proxy between a Redis client and a real Redis that understands just enough RESP to pair
 * each reply with its command, so that a test can fault one exact step: drop the reply of the
 * command (Redis ran it, the client never hears; the connection then closes, as in a fail-over or
 * a network blip), close the connection while the command runs (the client sees the close before
 * the reply), close it before the command reaches Redis, or delay the reply.
 *
 * Commands are matched by a predicate over their arguments (e.g. EVALSHA of one store script).
 * Pairing replies with commands assumes no pub/sub on the proxied connection (true of the store's
 * connection; BullMQ's blocking reads work too, they are plain request/reply).
 */
import { createHash } from 'node:crypto';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export type FaultAction =
  | { readonly kind: 'drop-reply' }
  | { readonly kind: 'close-mid' }
  | { readonly kind: 'close-before' }
  | { readonly kind: 'delay'; readonly ms: number };

export interface FaultRule {
  readonly match: (args: readonly string[]) => boolean;
  readonly action: FaultAction;
  /** How many matching commands to fault (default 1). */
  times?: number;
  /** How many times it fired so far. */
  fired: number;
}

export interface RedisProxy {
  readonly port: number;
  readonly url: string;
  /** Adds a rule; returns it so the test can read `fired`. */
  fault(match: FaultRule['match'], action: FaultAction, times?: number): FaultRule;
  clear(): void;
  /** Connections closed by a fault so far. */
  readonly closed: number;
  close(): Promise<void>;
}

/** Matches EVALSHA of the script with this SHA-1, or EVAL of its source. */
export function scriptCall(sha: string): (args: readonly string[]) => boolean {
  return (args) => {
    const name = args[0]?.toUpperCase();
    if (name === 'EVALSHA') return args[1] === sha;
    if (name === 'EVAL')
      return (
        createHash('sha1')
          .update(args[1] ?? '', 'latin1')
          .digest('hex') === sha
      );
    return false;
  };
}

/**
 * End offset of the RESP2/RESP3 frame starting at `at`, or -1 when it is not complete yet
 * (ioredis 6 speaks RESP3 after HELLO 3).
 */
function frameEnd(buf: Buffer, at: number): number {
  if (at >= buf.length) return -1;
  const lineEnd = buf.indexOf('\r\n', at);
  if (lineEnd < 0) return -1;
  const type = String.fromCharCode(buf[at]!);
  const n = Number(buf.toString('latin1', at + 1, lineEnd));
  const next = lineEnd + 2;
  const nested = (count: number): number => {
    let pos = next;
    for (let i = 0; i < count; i++) {
      pos = frameEnd(buf, pos);
      if (pos < 0) return -1;
    }
    return pos;
  };
  switch (type) {
    case '+':
    case '-':
    case ':':
    case '_':
    case '#':
    case ',':
    case '(':
      return next;
    case '$':
    case '!':
    case '=':
      if (n < 0) return next;
      return buf.length >= next + n + 2 ? next + n + 2 : -1;
    case '*':
    case '~':
    case '>':
      return n < 0 ? next : nested(n);
    case '%':
      return nested(2 * n);
    case '|': {
      // An attribute map precedes the frame it describes.
      const end = nested(2 * n);
      return end < 0 ? -1 : frameEnd(buf, end);
    }
    default:
      throw new Error(`redis proxy: unexpected RESP type ${JSON.stringify(type)}`);
  }
}

/** The bulk strings of a command frame (`*n` of `$len`), as latin1 strings (binary-safe). */
function commandArgs(frame: Buffer): string[] {
  const out: string[] = [];
  let pos = frame.indexOf('\r\n') + 2;
  while (pos < frame.length) {
    const lineEnd = frame.indexOf('\r\n', pos);
    const len = Number(frame.toString('latin1', pos + 1, lineEnd));
    out.push(frame.toString('latin1', lineEnd + 2, lineEnd + 2 + len));
    pos = lineEnd + 2 + len + 2;
  }
  return out;
}

export async function startRedisProxy(target: { host: string; port: number }): Promise<RedisProxy> {
  const rules: FaultRule[] = [];
  const sockets = new Set<Socket>();
  let closed = 0;

  const pick = (args: readonly string[]): FaultAction | undefined => {
    for (const rule of rules) {
      if ((rule.times ?? 1) <= rule.fired || !rule.match(args)) continue;
      rule.fired++;
      return rule.action;
    }
    return undefined;
  };

  const server: Server = createServer((client) => {
    const upstream = createConnection(target);
    sockets.add(client);
    sockets.add(upstream);
    let fromClient = Buffer.alloc(0);
    let fromServer = Buffer.alloc(0);
    /** What to do with the reply of each command in flight, in order. */
    const pending: (FaultAction | undefined)[] = [];
    /** Replies leave in order: a delayed one holds back those behind it. */
    let outChain = Promise.resolve();
    let dead = false;
    const kill = (): void => {
      if (dead) return;
      dead = true;
      closed++;
      client.destroy();
      upstream.destroy();
    };
    client.on('close', () => {
      sockets.delete(client);
      // Keep the upstream until the reply of a command cut mid-flight has come back.
      if (pending.length === 0) upstream.destroy();
    });
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());

    client.on('data', (chunk: Buffer) => {
      fromClient = Buffer.concat([fromClient, chunk]);
      let at = 0;
      for (;;) {
        const end = frameEnd(fromClient, at);
        if (end < 0) break;
        const frame = fromClient.subarray(at, end);
        at = end;
        const action = pick(commandArgs(frame));
        if (action?.kind === 'close-before') {
          kill();
          return;
        }
        pending.push(action);
        upstream.write(frame);
        if (action?.kind === 'close-mid') {
          dead = true;
          closed++;
          client.destroy();
        }
      }
      fromClient = fromClient.subarray(at);
    });

    upstream.on('data', (chunk: Buffer) => {
      fromServer = Buffer.concat([fromServer, chunk]);
      let at = 0;
      for (;;) {
        const end = frameEnd(fromServer, at);
        if (end < 0) break;
        const frame = Buffer.from(fromServer.subarray(at, end));
        at = end;
        if (frame[0] === 0x3e /* '>' push: not the reply of a command */) {
          if (!client.destroyed) outChain = outChain.then(() => void client.write(frame));
          continue;
        }
        const action = pending.shift();
        if (client.destroyed) {
          if (pending.length === 0) upstream.destroy();
          continue;
        }
        if (action?.kind === 'drop-reply') {
          kill();
          return;
        }
        const delay = action?.kind === 'delay' ? action.ms : 0;
        outChain = outChain.then(async () => {
          if (delay > 0) await new Promise((r) => setTimeout(r, delay));
          if (!client.destroyed) client.write(frame);
        });
      }
      fromServer = fromServer.subarray(at);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    fault(match, action, times = 1) {
      const rule: FaultRule = { match, action, times, fired: 0 };
      rules.push(rule);
      return rule;
    },
    clear: () => {
      rules.length = 0;
    },
    get closed() {
      return closed;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
