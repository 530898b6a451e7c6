// Reads dependency-cruiser's JSON (stdin) and fails on (1) any rule violation of
// .dependency-cruiser.cjs and (2) any loop between rooms (folders under src/, and the top-level
// files main.ts, config.ts, errors.ts as rooms of their own). dependency-cruiser finds loops between
// files; a loop between rooms (a → b → a through different files) is what makes a room impossible
// to understand or move alone, so it is checked here. Run by `npm run lint`.
import { readFileSync } from 'node:fs';

const result = JSON.parse(readFileSync(0, 'utf8'));
let failed = false;
for (const v of result.summary.violations) {
  failed = true;
  console.error(`  ${v.rule.severity} ${v.rule.name}: ${v.from} → ${v.to}`);
}

const roomOf = (file) => {
  const m = /^src\/([^/]+)(\/)?/.exec(file);
  if (m === null) return undefined;
  return m[2] === '/' ? m[1] : m[1].replace(/\.ts$/, '');
};
const edges = new Map();
const why = new Map();
for (const mod of result.modules) {
  const from = roomOf(mod.source);
  if (from === undefined) continue;
  for (const dep of mod.dependencies) {
    const to = roomOf(dep.resolved);
    if (to === undefined || to === from) continue;
    if (!edges.has(from)) edges.set(from, new Set());
    edges.get(from).add(to);
    if (!why.has(`${from}>${to}`)) why.set(`${from}>${to}`, `${mod.source} → ${dep.resolved}`);
  }
}

// Tarjan's strongly connected components: every component of more than one room is a loop.
let index = 0;
const idx = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
const loops = [];
function visit(v) {
  idx.set(v, index);
  low.set(v, index);
  index++;
  stack.push(v);
  onStack.add(v);
  for (const w of edges.get(v) ?? []) {
    if (!idx.has(w)) {
      visit(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) {
    const scc = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      scc.push(w);
    } while (w !== v);
    if (scc.length > 1) loops.push(scc);
  }
}
for (const v of edges.keys()) if (!idx.has(v)) visit(v);
for (const scc of loops) {
  failed = true;
  const members = new Set(scc);
  console.error(`  error room loop: ${scc.sort().join(', ')}`);
  for (const a of scc)
    for (const b of edges.get(a) ?? [])
      if (members.has(b)) console.error(`      ${a} → ${b} (e.g. ${why.get(`${a}>${b}`)})`);
}

// `--rooms`: each room's floor (0 = imports no room; else one above the highest room it imports)
// and the rooms it imports, as docs/architecture.md describes them.
if (process.argv.includes('--rooms') && loops.length === 0) {
  const floors = new Map();
  const floorOf = (room) => {
    if (!floors.has(room)) floors.set(room, Math.max(-1, ...[...(edges.get(room) ?? [])].map(floorOf)) + 1);
    return floors.get(room);
  };
  const rooms = new Set([...edges.keys(), ...[...edges.values()].flatMap((s) => [...s])]);
  const rows = [...rooms].map((r) => [floorOf(r), r]).sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));
  for (const [floor, room] of rows)
    console.log(`${floor}  ${room.padEnd(14)} → ${[...(edges.get(room) ?? [])].sort().join(' ')}`);
}

const modules = result.summary.totalCruised;
if (failed) {
  console.error(`layering: failed (${modules} modules)`);
  process.exit(1);
}
console.log(`layering: no rule broken, no room loop (${modules} modules, ${edges.size} rooms that import)`);
