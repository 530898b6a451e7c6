/**
 * The evidence in readable form for the preview page: the labelled fields of the mapping's PDF
 * layout (every mapping has one), with the record's values, whatever format the requester asked.
 */
import type { PreviewFieldValue, RenderInput } from './port.js';
import { displayText, isAbsent, readField } from './record-path.js';

export function previewFields(input: Omit<RenderInput, 'distribution'>): PreviewFieldValue[] {
  const pdf = input.mapping.distributions.find((d) => d.format === 'application/pdf');
  const out: PreviewFieldValue[] = [];
  if (pdf !== undefined && pdf.format === 'application/pdf') {
    for (const section of pdf.pdf.sections) {
      for (const field of section.fields) {
        const value = readField({ ...input, distribution: pdf }, field.from);
        if (isAbsent(value)) continue;
        out.push({ label: field.label, value: displayText(value, input.languages) });
      }
    }
    return out;
  }
  for (const d of input.mapping.distributions) {
    if (d.format !== 'application/xml') continue;
    for (const field of d.xml.fields) {
      const value = readField({ ...input, distribution: d }, field.from);
      if (isAbsent(value)) continue;
      const name = field.path.split('/').pop() ?? field.path;
      out.push({ label: { lv: name, en: name }, value: displayText(value, input.languages) });
    }
  }
  return out;
}
