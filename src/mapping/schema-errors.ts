/**
 * ajv's errors for an evidence mapping, in words a data controller understands: what is wrong,
 * where, and how to fix it (with the schema's own descriptions, and a suggestion for a misspelt
 * field).
 */
import type { ErrorObject } from 'ajv';
import { article, closest } from './spelling.js';

export function relevantErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  // `if`/`oneOf` wrappers repeat what their branches said.
  const useful = errors.filter((e) => e.keyword !== 'if' && e.keyword !== 'oneOf');
  const seen = new Set<string>();
  return useful.filter((e) => {
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export interface Described {
  path: (string | number)[];
  message: string;
  hint: string;
  at: 'key' | 'value';
  /** A `required` error: the field is missing. */
  missing?: boolean;
  /** An unknown key that looks like this known one. */
  suggests?: string;
}

export function describeAjvError(e: ErrorObject, path: (string | number)[]): Described {
  const parentSchema = (e.parentSchema ?? {}) as {
    description?: string;
    properties?: Record<string, { description?: string }>;
    enum?: unknown[];
  };
  const p = e.params as Record<string, unknown>;
  const about = parentSchema.description === undefined ? '' : ` (${parentSchema.description})`;
  switch (e.keyword) {
    case 'required': {
      const prop = String(p['missingProperty']);
      const desc = parentSchema.properties?.[prop]?.description;
      return {
        path: [...path, prop],
        message: `${prop} is missing`,
        hint: `add \`${prop}:\`${desc === undefined ? '' : ` — ${desc}`}`,
        at: 'key',
        missing: true,
      };
    }
    case 'additionalProperties': {
      const prop = String(p['additionalProperty']);
      const allowed = Object.keys(parentSchema.properties ?? {});
      const close = closest(prop, allowed);
      return {
        path: [...path, prop],
        message: `${prop} is not a known field here`,
        hint: `${close === undefined ? 'remove it' : `did you mean \`${close}\`?`} (allowed here: ${allowed.join(', ')})`,
        at: 'key',
        ...(close === undefined ? {} : { suggests: close }),
      };
    }
    case 'type': {
      const expected = String(p['type']);
      const quote =
        expected === 'string' ? ' Quote the value in YAML ("...") so that numbers, dates and yes/no stay text.' : '';
      return {
        path,
        message: `must be ${article(expected)} ${expected}`,
        hint: `write ${article(expected)} ${expected}.${quote}${about}`,
        at: 'value',
      };
    }
    case 'enum': {
      const allowed = (p['allowedValues'] as unknown[]).map(String);
      return {
        path,
        message: `must be one of ${allowed.join(', ')}`,
        hint: `use one of: ${allowed.join(', ')}`,
        at: 'value',
      };
    }
    case 'const':
      return {
        path,
        message: `must be ${String(p['allowedValue'])}`,
        hint: `write ${String(p['allowedValue'])}`,
        at: 'value',
      };
    case 'discriminator':
      return {
        path: [...path, String(p['tag'])],
        message: 'format must be application/xml or application/pdf',
        hint: 'write `format: application/xml` (with conformsTo and xml) or `format: application/pdf` (with pdf)',
        at: p['error'] === 'tag' && typeof p['tagValue'] === 'undefined' ? 'key' : 'value',
      };
    case 'pattern':
      if (p['pattern'] === '\\S')
        return { path, message: 'must not be empty', hint: `write the text${about}`, at: 'value' };
      return {
        path,
        message: `has the wrong form (pattern ${String(p['pattern'])})`,
        hint: `see the field description${about}`,
        at: 'value',
      };
    case 'format':
      return {
        path,
        message: `must be ${String(p['format']) === 'uri' ? 'an absolute URI' : `a ${String(p['format'])}`}`,
        hint: `write a full URI starting with https://${about}`,
        at: 'value',
      };
    case 'minItems':
      return {
        path,
        message: `needs at least ${String(p['limit'])} entr${p['limit'] === 1 ? 'y' : 'ies'}`,
        hint: `add entries${about}`,
        at: 'key',
      };
    case 'uniqueItems':
      return {
        path: [...path, Number(p['j'])],
        message: `repeats entry ${String(p['i'])}`,
        hint: 'remove the duplicate',
        at: 'value',
      };
    case 'minimum':
      return {
        path,
        message: `must be at least ${String(p['limit'])}`,
        hint: `write a number of ${String(p['limit'])} or more`,
        at: 'value',
      };
    default:
      return { path, message: e.message ?? e.keyword, hint: `see schemas/mapping.schema.json${about}`, at: 'value' };
  }
}
