/**
 * A receiver in its own process, for the crash tests of domibus-connector.test.ts (run with
 * `node --import tsx`, so SIGKILL hits this very process). It runs one pull or one sweep against
 * the Domibus stand-in and exits; with HANG_BEFORE_ENQUEUE=1 it announces each stored request on
 * stdout and then hangs in the enqueue, so the parent can kill it between the store and the job.
 */
import { Redis } from 'ioredis';
import { createDomibusClient } from '../../src/connector/domibus/client.js';
import { createDomibusReceiver } from '../../src/connector/domibus/receiver.js';
import { createLogger } from '../../src/infra/logger.js';
import { createQueues } from '../../src/queue/queues.js';
import { createExchangeStore } from '../../src/store/exchange-store.js';

const env = (name: string): string => {
  const v = process.env[name];
  if (v === undefined) throw new Error(`child: ${name} missing`);
  return v;
};

const redis = new Redis(env('REDIS_URL'));
const logger = createLogger('silent');
const store = createExchangeStore(redis, {
  prefix: env('STORE_PREFIX'),
  key: Buffer.from(env('STORE_KEY'), 'base64'),
  ttlSeconds: 600,
});
const queues = createQueues({
  connection: { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null },
  prefix: env('QUEUE_PREFIX'),
  logger,
});
const hang = process.env.HANG_BEFORE_ENQUEUE === '1';
const client = createDomibusClient({
  url: env('DOMIBUS_URL'),
  user: env('DOMIBUS_USER'),
  password: env('DOMIBUS_PASSWORD'),
  timeoutMs: 5000,
});
const receiver = createDomibusReceiver({
  client,
  store,
  queues: {
    async enqueueProcess(ref) {
      if (hang) {
        process.stdout.write(`stored ${ref}\n`);
        await new Promise(() => undefined);
      }
      await queues.enqueueProcess(ref);
    },
  },
  redis,
  prefix: env('LOCK_PREFIX'),
  logger,
  retrieveMode: env('RETRIEVE_MODE') as 'destructive' | 'confirm',
  pullIntervalMs: 0,
  sweepIntervalMs: 0,
  recoverAfterMs: 0,
  lockTtlMs: 2000,
});

process.stdout.write('ready\n');
const report = env('ACTION') === 'sweep' ? await receiver.sweep() : await receiver.pullNow();
process.stdout.write(`done ${JSON.stringify(report)}\n`);
client.close();
await queues.close(1000);
await redis.quit();
