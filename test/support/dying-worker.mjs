// A BullMQ worker that takes one job of a queue and never finishes it: the test kills this process
// (SIGKILL), leaving the job active with a lock nobody renews, as a crashed worker host would.
//   node dying-worker.mjs <redis url> <prefix> <queue name>
// Prints "taken <job id>" once it holds a job.
import { Worker } from 'bullmq';

const [url, prefix, queue] = process.argv.slice(2);
const worker = new Worker(
  queue,
  (job) => {
    process.stdout.write(`taken ${job.id}\n`);
    return new Promise(() => undefined);
  },
  // Short lock and stall check, as the test's surviving workers use (the check interval is shared through Redis).
  { connection: { url, maxRetriesPerRequest: null }, prefix, lockDuration: 1000, stalledInterval: 300, concurrency: 1 },
);
worker.on('error', () => undefined);
