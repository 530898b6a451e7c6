/**
 * A separate process holding live mappings (as an api or worker process does), for
 * test/integration/mappings.test.ts: prints one JSON line per reload with the versions it serves.
 * The stamp check is off, so only the published change can reach it.
 *
 *   node --import tsx test/integration/mappings-live-child.ts <redis url> <prefix>
 */
import { Redis } from 'ioredis';
import { createLiveMappings } from '../../src/mapping-store/live-mappings.js';
import { createMappingStore } from '../../src/mapping-store/mapping-store.js';
import { readMappingSchema } from '../../src/resources/mappings.js';

const [url, prefix] = process.argv.slice(2) as [string, string];
const redis = new Redis(url, { maxRetriesPerRequest: null });
const store = createMappingStore(redis, { prefix, schema: readMappingSchema() });
const live = createLiveMappings(redis, {
  store,
  checkIntervalMs: 0,
  onReload: (info) => process.stdout.write(`${JSON.stringify(info)}\n`),
});
await live.ready;
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void live.close().then(() => redis.quit());
});
