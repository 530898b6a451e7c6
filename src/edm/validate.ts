/**
 * Judges one EDM message: well-formed and safe XML, the official XSD where one exists for its
 * version (v1.0), and the EDM business rules of its kind, by rule ID. Pure: the compiled XSD
 * validator is passed in.
 */
import type { XmlDocument } from 'libxml2-wasm';
import { classify } from './classify.js';
import type { EdmVersion } from './model.js';
import { runRules, type Rule } from './rules/engine.js';
import { ERROR_RULES } from './rules/error-index.js';
import { REQUEST_RULES } from './rules/request-index.js';
import { RESPONSE_RULES } from './rules/response-index.js';
import { readVersion } from './version.js';
import type { Violation } from './violation.js';
import { DEFAULT_XML_LIMITS, parseXml, type XmlLimits } from './xml/parse.js';
import type { XmlElement } from './xml/tree.js';

export type MessageKind = 'QueryRequest' | 'QueryResponse' | 'ErrorResponse' | 'unknown';

export interface ValidationReport {
  readonly kind: MessageKind;
  /** The supported version the message declares, or the raw unsupported value, or null. */
  readonly version: string | null;
  readonly valid: boolean;
  readonly errors: readonly Violation[];
  readonly warnings: readonly Violation[];
  /** Findings of rules with role `info` (things that MAY be present): never affect validity. */
  readonly infos: readonly Violation[];
}

/** Validates a parsed libxml2 document against an XSD; see src/edm/xsd.ts. */
export interface XsdCheck {
  validate(doc: XmlDocument): Violation[];
}

export interface ValidateOptions {
  readonly limits?: XmlLimits;
  /** XSD validator for EDM v1.0 messages; XSD checks are skipped when absent. */
  readonly xsd?: XsdCheck;
}

const RULES_BY_KIND: Record<Exclude<MessageKind, 'unknown'>, readonly Rule[]> = {
  QueryRequest: REQUEST_RULES,
  QueryResponse: RESPONSE_RULES,
  ErrorResponse: ERROR_RULES,
};

/** Throws XmlInputError when the bytes are not safe, well-formed XML; otherwise reports. */
export function validateMessage(input: Uint8Array | string, options: ValidateOptions = {}): ValidationReport {
  let xsdViolations: Violation[] = [];
  const root = parseXml(input, options.limits ?? DEFAULT_XML_LIMITS, (doc, tree) => {
    // Only v1.0 has an official XSD; run it while libxml2's document is alive.
    if (options.xsd !== undefined && classify(tree) !== 'unknown' && readVersion(tree).version === 'oots-edm:v1.0') {
      xsdViolations = options.xsd.validate(doc);
    }
  });
  return judgeTree(root, xsdViolations);
}

/** Rules-only judgement of an already parsed tree (`xsdViolations` are merged in for v1.0). */
export function judgeTree(root: XmlElement, xsdViolations: readonly Violation[] = []): ValidationReport {
  const kind = classify(root);
  if (kind === 'unknown') {
    return {
      kind,
      version: null,
      valid: false,
      errors: [{ rule: 'EDM', severity: 'error', message: `root element {${root.ns}}${root.local} is not an OOTS EDM message`, line: root.line }],
      warnings: [],
      infos: [],
    };
  }
  const read = readVersion(root);
  const version: EdmVersion | undefined = read.version;
  const findings = [...xsdViolations, ...runRules(RULES_BY_KIND[kind], kind, root, version)];
  const errors = findings.filter((v) => v.severity === 'error');
  return {
    kind,
    version: read.version ?? read.raw ?? null,
    valid: errors.length === 0,
    errors,
    warnings: findings.filter((v) => v.severity === 'warning'),
    infos: findings.filter((v) => v.severity === 'info'),
  };
}
