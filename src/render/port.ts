/**
 * What the render room offers the exchange, in its own terms: the input every renderer receives
 * and the RenderPort the exchange use case calls (to render an evidence and to list the readable
 * fields of a preview). The exchange depends on render, never the other way round.
 */
import type { DagrRecord } from '../mapping/record-path.js';
import type { Bilingual, Distribution, EvidenceMapping } from '../mapping/model.js';

/** What renderers receive: the mapping, the chosen distribution, the record and the exchange context. */
export interface RenderInput {
  readonly mapping: EvidenceMapping;
  readonly distribution: Distribution;
  readonly record: DagrRecord;
  /** xsd:date of issue. */
  readonly issuingDate: string;
  /** The subject as matched, for the header of the document (name, identifier). */
  readonly subjectLabel: { readonly name: string; readonly identifier: string | undefined };
  /** Languages to render, first is primary (`lv`, `en`). */
  readonly languages: readonly ('lv' | 'en')[];
  /**
   * When the evidence is produced (xsd:dateTime): the PDF's creation date. Optional; without it the
   * PDF is dated at the issue date, 00:00 UTC. Renderers never read the clock.
   */
  readonly renderedAt?: string;
  /**
   * A system check (procedure `00`): the record is invented, so the document says so in its
   * content (PDF banner, title, footer and metadata; an XML comment) and never claims DAGR as
   * its source. Default false.
   */
  readonly testDocument?: boolean;
}

/** One labelled field of the evidence in readable form, as the preview page shows it. */
export interface PreviewFieldValue {
  readonly label: Bilingual;
  readonly value: string;
}

export interface RenderPort {
  /** The evidence document in the distribution's format; rejects with a RenderError (src/render/errors.ts). */
  render(input: RenderInput): Promise<Uint8Array>;
  /** The evidence in readable form for the preview page, whatever format the requester asked. */
  previewFields(input: Omit<RenderInput, 'distribution'>): PreviewFieldValue[];
}
