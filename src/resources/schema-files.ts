/**
 * Reads the EDM XSD set shipped in `schemas/edm` into memory, for the pure XSD validator
 * (src/edm/xsd.ts). The package root is found from this module's own location, never from the
 * working directory, so the adapter validates the same way wherever it is started from.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Entry schema of the EDM v1.0 set, as a key of {@link readSchemaFiles}. */
export const EDM_V1_0_ENTRY = 'schemas/edm/v1.0/sdg/oots_driver_v1.0.0.xsd';

/** The package root: the nearest ancestor of this module holding a package.json. */
export function packageRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

/**
 * Every `.xsd` file under `schemas/<set>` (default `edm`), keyed by its path relative to the
 * package root with forward slashes (e.g. `schemas/edm/v1.0/sdg/oots_driver_v1.0.0.xsd`).
 */
export function readSchemaFiles(root: string = packageRoot(), set = 'edm'): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.xsd'))
        files[path.relative(root, full).split(path.sep).join('/')] = new Uint8Array(readFileSync(full));
    }
  };
  walk(path.join(root, 'schemas', set));
  return files;
}
