/**
 * The topology floor of `bench:load` (`BENCH_LOAD_CONFIGS=…:floor`): the adapter's processes and
 * hops with none of its work, to show what this machine allows any implementation of the flow.
 *
 *   api        POST /connector/messages: read the body, SET it in Redis, add one BullMQ job, 202
 *   worker     BullMQ worker: GET the body, GET a record from the DAGR stand-in, POST the body to
 *              the connector stand-in, DEL the body
 *   connector  POST /inbox: LPUSH {"conversationId"} to the outbox the load generator watches
 *
 * Bare node:http with kept-alive sockets, no validation, encryption, logging or metrics: cheaper
 * than anything that answers correctly, so its rate is an upper bound, not a target.
 * Prints `{"msg":"adapter ready","api":URL}` like the adapter, for the same process harness.
 *
 * Environment: REDIS_URL, QUEUE_PREFIX, WORKER_CONCURRENCY (16), DAGR_BASE_URL and
 * CONNECTOR_OUTBOUND_URL (worker).
 */
import http from 'node:http';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';

const role = process.argv[2];
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = process.env.QUEUE_PREFIX ?? '{floor}';
const connection = { url: redisUrl, maxRetriesPerRequest: null } as const;

const readBody = (req: http.IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

const listen = (server: http.Server): Promise<string> =>
  new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve(typeof a === 'object' && a !== null ? `http://127.0.0.1:${a.port}` : '');
    }),
  );

const ready = (api?: string): void => {
  process.stdout.write(`${JSON.stringify({ msg: 'adapter ready', api, sandbox: {} })}\n`);
};

/** The conversation id of a REST envelope without parsing the whole body (uuids: no escaping). */
const CONVERSATION = /"conversationId":"([^"]+)"/;

async function api(): Promise<void> {
  const redis = new Redis(redisUrl);
  const queue = new Queue('process', { connection, prefix });
  let n = 0;
  const server = http.createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const id = CONVERSATION.exec(body.toString('latin1'))?.[1];
      if (id === undefined) {
        res.writeHead(400).end();
        return;
      }
      const ref = `${prefix}:floor:req:${process.pid}:${n++}`;
      await redis.set(ref, body);
      await queue.add('process', { ref, id }, { removeOnComplete: { count: 1000 }, attempts: 3 });
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":true}');
    })().catch(() => res.writeHead(500).end());
  });
  ready(await listen(server));
  process.once('SIGTERM', () => {
    server.close();
    void Promise.all([queue.close(), redis.quit()]).then(() => process.exit(0));
  });
}

async function worker(): Promise<void> {
  const redis = new Redis(redisUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const dagr = new URL(process.env.DAGR_BASE_URL ?? '');
  const connector = new URL(process.env.CONNECTOR_OUTBOUND_URL ?? '');
  const call = (url: URL, method: string, body?: Buffer, id?: string): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const req = http.request(
        url,
        {
          method,
          agent,
          headers: {
            'content-type': 'application/json',
            ...(body === undefined ? {} : { 'content-length': body.length }),
            ...(id === undefined ? {} : { 'x-conversation-id': id }),
          },
        },
        (res) => {
          readBody(res).then(
            (b) =>
              res.statusCode !== undefined && res.statusCode < 300
                ? resolve(b)
                : reject(new Error(`HTTP ${res.statusCode}`)),
            reject,
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const w = new Worker<{ ref: string; id: string }>(
    'process',
    async (job) => {
      const body = await redis.getBuffer(job.data.ref);
      if (body === null) throw new Error('request gone');
      await call(dagr, 'GET');
      await call(connector, 'POST', body, job.data.id);
      await redis.del(job.data.ref);
    },
    { connection, prefix, concurrency: Number(process.env.WORKER_CONCURRENCY ?? '16') },
  );
  // A kept-alive socket the peer closed while idle fails a call now and then: the job is retried
  // (attempts: 3), like the adapter retries; say so on stderr.
  w.on('failed', (_job, err) => process.stderr.write(`floor job failed: ${err.message}\n`));
  await w.waitUntilReady();
  ready();
  process.once('SIGTERM', () => {
    void Promise.all([w.close(), redis.quit()]).then(() => {
      agent.destroy();
      process.exit(0);
    });
  });
}

async function connector(): Promise<void> {
  const redis = new Redis(redisUrl);
  const server = http.createServer((req, res) => {
    void (async () => {
      await readBody(req);
      const id = req.headers['x-conversation-id'];
      await redis.lpush(`${prefix}:standin:outbox`, JSON.stringify({ conversationId: id }));
      res.writeHead(202).end();
    })().catch(() => res.writeHead(500).end());
  });
  ready(`${await listen(server)}/inbox`);
  process.once('SIGTERM', () => {
    server.close();
    void redis.quit().then(() => process.exit(0));
  });
}

const roles: Record<string, () => Promise<void>> = { api, worker, connector };
const run = roles[role ?? ''];
if (run === undefined) {
  process.stderr.write('usage: floor-process.ts api|worker|connector\n');
  process.exit(2);
}
await run();
