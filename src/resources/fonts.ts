/**
 * Reads the fonts of the PDF evidence (DejaVu Sans, shipped in `assets/fonts` with its licence)
 * for the pure renderer (src/render/pdf-evidence.ts). The package root is found from this module's
 * location, as for the schemas, so the adapter renders the same wherever it is started from.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { PdfAssets } from '../render/pdf-evidence.js';
import { packageRoot } from './schema-files.js';

export const FONT_FILES = { regular: 'assets/fonts/DejaVuSans.ttf', bold: 'assets/fonts/DejaVuSans-Bold.ttf' } as const;

/** The PDF fonts' bytes. Read once at start-up and pass the same object to every render (the parsed fonts are cached per object). */
export function readPdfAssets(root: string = packageRoot()): PdfAssets {
  return {
    regular: new Uint8Array(readFileSync(path.join(root, FONT_FILES.regular))),
    bold: new Uint8Array(readFileSync(path.join(root, FONT_FILES.bold))),
  };
}
