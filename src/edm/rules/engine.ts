/**
 * The EDM business-rule engine. Each rule is a small pure function over the element tree,
 * identified by its official ID (the Schematron `id`), so that every violation we report can be
 * looked up in the OOTS specification. Rules declare the EDM versions they apply to.
 */
import type { EdmVersion } from '../model.js';
import type { Severity, Violation } from '../violation.js';
import { pathOf, type XmlElement } from '../xml/tree.js';

/** Which message a rule set judges. */
export type MessageKind = 'QueryRequest' | 'QueryResponse' | 'ErrorResponse';

export interface RuleContext {
  readonly root: XmlElement;
  /** Version read from SpecificationIdentifier; undefined when absent or unknown. */
  readonly version: EdmVersion | undefined;
  /** Report one violation of this rule at `at` (an element of the tree). */
  report(at: XmlElement | undefined, message?: string): void;
}

export interface Rule {
  /** Official ID, e.g. `R-EDM-REQ-S005`. */
  readonly id: string;
  readonly kind: MessageKind;
  readonly severity: Severity;
  /** The rule's text as published (used as the default message). */
  readonly description: string;
  /** Versions the rule applies to; all when omitted. */
  readonly versions?: readonly EdmVersion[];
  readonly check: (ctx: RuleContext) => void;
}

/** Runs `rules` (those of `kind` applicable to `version`) and returns their violations in rule order. */
export function runRules(
  rules: readonly Rule[],
  kind: MessageKind,
  root: XmlElement,
  version: EdmVersion | undefined,
): Violation[] {
  const out: Violation[] = [];
  for (const rule of rules) {
    if (rule.kind !== kind) continue;
    if (rule.versions !== undefined && (version === undefined || !rule.versions.includes(version))) continue;
    rule.check({
      root,
      version,
      report(at, message) {
        out.push({
          rule: rule.id,
          severity: rule.severity,
          message: message ?? rule.description,
          ...(at === undefined ? {} : { path: pathOf(at), line: at.line }),
        });
      },
    });
  }
  return out;
}
