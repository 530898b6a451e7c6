/**
 * Keeps the rooms of the house apart (DESIGN.md §3, style habit 1): pure rooms never import I/O
 * libraries, Node's I/O modules or the I/O rooms; no import cycles anywhere.
 */
const PURE = '^src/(edm|ebms|identity|mapping|render|exchange)/';
const IO_ROOMS =
  '^src/(dagr|queue|preview|connector|ops|http|cli|sandbox|resources|store|mapping-store|admin|worker|parse-threads|compose|infra)/';

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'pure-rooms-no-io-packages',
      comment: 'Pure rooms take what they need as arguments (ports).',
      severity: 'error',
      from: { path: PURE },
      to: {
        dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer'],
        path: 'node_modules/(express|bullmq|ioredis|axios|pino|pino-http|playwright-core|undici)/',
      },
    },
    {
      name: 'pure-rooms-no-node-io',
      severity: 'error',
      from: { path: PURE },
      to: {
        dependencyTypes: ['core'],
        path: '^(fs|node:fs|fs/promises|node:fs/promises|http|node:http|https|node:https|net|node:net|child_process|node:child_process)$',
      },
    },
    { name: 'pure-rooms-no-io-rooms', severity: 'error', from: { path: PURE }, to: { path: IO_ROOMS } },
    {
      name: 'ground-floor-imports-no-room',
      comment:
        'src/infra is the ground floor (logger, Redis client, Lua scripts, lock, keyspaces): every room may import it, it imports none.',
      severity: 'error',
      from: { path: '^src/infra/' },
      to: { path: '^src/', pathNot: '^src/(infra/|errors\\.ts$)' },
    },
    { name: 'no-test-code-in-src', severity: 'error', from: { path: '^src/' }, to: { path: '^test/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.mjs'],
    },
  },
};
