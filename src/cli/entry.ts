/** Runs the CLI from the TypeScript sources (`npm run dev`, `tsx src/cli/entry.ts ...`). */
import { main } from './index.js';

await main(process.argv.slice(2));
