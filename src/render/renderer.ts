/**
 * The RenderPort: picks the renderer by the distribution's format (`DistributedAs/Format` of the
 * request, as the exchange resolved it against the mapping). An unknown format is
 * `ERR_RENDER_UNSUPPORTED_FORMAT` → EDM:ERR:0007. The preview's readable fields come from
 * src/render/preview-fields.ts.
 */
import type { RenderInput, RenderPort } from './port.js';
import { RenderError } from './errors.js';
import { renderPdfEvidence } from './pdf-evidence.js';
import { previewFields } from './preview-fields.js';
import type { PdfAssets } from './pdf-evidence.js';
import { renderXmlEvidence } from './xml-evidence.js';

export interface RendererOptions {
  /** Producer/Creator written into PDFs (default `oots-dagr-adapter`). */
  readonly producer?: string;
  /** Make PDFs PDF/A-2B shaped (default true). */
  readonly pdfa?: boolean;
}

/** Media types the renderers produce. */
export const RENDERED_FORMATS = ['application/xml', 'application/pdf'] as const;

export function createRenderer(assets: PdfAssets, options: RendererOptions = {}): RenderPort {
  return {
    render(input: RenderInput): Promise<Uint8Array> {
      const format: string = input.distribution.format;
      switch (format) {
        case 'application/xml':
          // Synchronous work, but errors still reach the caller as a rejection.
          return Promise.resolve().then(() => renderXmlEvidence(input));
        case 'application/pdf':
          return renderPdfEvidence(input, assets, {
            ...(options.producer === undefined ? {} : { producer: options.producer }),
            ...(options.pdfa === undefined ? {} : { pdfa: options.pdfa }),
          });
        default:
          return Promise.reject(
            new RenderError(
              'ERR_RENDER_UNSUPPORTED_FORMAT',
              `no renderer for evidence format "${format}" (mapping ${input.mapping.id})`,
            ),
          );
      }
    },
    previewFields,
  };
}
