/** One finding of validation: an XSD error or an EDM business rule, by its official ID. */
export type Severity = 'error' | 'warning' | 'info';

export interface Violation {
  /** Official rule ID (`R-EDM-REQ-S005`), `XSD` for schema errors, or `XML` for parse errors. */
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  /** XPath-like location in the document, when one applies. */
  readonly path?: string;
  /** 1-based source line, when known. */
  readonly line?: number;
}
