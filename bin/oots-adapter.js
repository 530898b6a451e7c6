#!/usr/bin/env node
// The `oots-adapter` command runs the compiled CLI (built by `npm run build`, which `npm ci` runs via `prepare`).
import('../dist/cli/index.js').then(
  (cli) => cli.main(process.argv.slice(2)),
  (error) => {
    process.stderr.write(`oots-adapter: cannot load the compiled CLI (run \`npm run build\`): ${error.message}\n`);
    process.exitCode = 2;
  },
);
