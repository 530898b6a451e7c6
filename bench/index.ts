/**
 * `npm run bench`: prints figures; asserts nothing. `npm run bench -- edm`, `-- pipeline` or
 * `-- deployment` runs one part: the EDM core timings, the whole pipeline in one `all` process (the
 * embedded default), and the deployment topology (one api and two worker processes) for a short
 * sustained run of bench/load.ts (`npm run bench:load` runs it longer and with one worker too).
 * `-- hostile` (only when asked) runs adversarial XML shapes at the size limit against the bare
 * parse of the birth request (bench/hostile.ts).
 */
import { benchEdmCore } from './edm-core.js';
import { benchHostile } from './hostile.js';
import { benchPipeline } from './pipeline.js';

const only = process.argv[2];
if (only === undefined || only === 'edm') benchEdmCore();
if (only === 'hostile') await benchHostile();
if (only === undefined || only === 'pipeline') await benchPipeline();
if (only === undefined || only === 'deployment') {
  process.env.BENCH_LOAD_SECONDS ??= '20';
  process.env.BENCH_LOAD_CONFIGS ??= '2:xml,2:pdf';
  console.log('\nDeployment topology: one api and two worker processes (bench/load.ts)');
  await import('./load.js');
}
