/** `npm run bench`: prints figures; asserts nothing. */
import { benchEdmCore } from './edm-core.js';

benchEdmCore();
