/** `npm run bench`: prints figures; asserts nothing. `npm run bench -- edm` or `-- pipeline` runs one part. */
import { benchEdmCore } from './edm-core.js';
import { benchPipeline } from './pipeline.js';

const only = process.argv[2];
if (only === undefined || only === 'edm') benchEdmCore();
if (only === undefined || only === 'pipeline') await benchPipeline();
