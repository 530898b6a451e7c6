/**
 * A small element tree for the documents we write (responses, errors, XML evidence, ebMS headers)
 * and its pretty-printed serialization. Names are written as given: the builders declare every
 * prefix they use on the root, so no namespace fix-up is needed.
 *
 * Why not xmlbuilder2's DOM: building and serializing a response through it cost the worker as
 * much CPU as parsing and validating the request, and it leaves `&amp;`-like text unescaped
 * (a value `a &lt; b` came back as `a < b`). Here every `&`, `<` and `>` is escaped, and in
 * attributes also `"` and the whitespace characters a parser would otherwise normalise (`\t`,
 * `\n`, `\r`), so what is written is what a reader gets back. Callers keep characters XML 1.0
 * cannot carry out (the request parser and the evidence renderer already refuse them).
 */

export class XmlWriteError extends Error {
  override readonly name = 'XmlWriteError';
}

export class ElementWriter {
  private attrs = '';
  private readonly attrNames: string[] = [];
  private readonly children: ElementWriter[] = [];
  private text: string | undefined;

  constructor(readonly name: string) {}

  /** Appends a child element and returns it. */
  ele(name: string): ElementWriter {
    if (this.text !== undefined) throw new XmlWriteError(`<${this.name}> has text; it cannot also have child elements`);
    const child = new ElementWriter(name);
    this.children.push(child);
    return child;
  }

  /** Adds an attribute (in call order) and returns this element. */
  att(name: string, value: string): this {
    if (this.attrNames.includes(name)) throw new XmlWriteError(`<${this.name}> already has the attribute ${name}`);
    this.attrNames.push(name);
    this.attrs += ` ${name}="${escapeAttribute(value)}"`;
    return this;
  }

  hasAttribute(name: string): boolean {
    return this.attrNames.includes(name);
  }

  /** Sets (or extends) the element's text and returns this element. */
  txt(text: string): this {
    if (this.children.length > 0) throw new XmlWriteError(`<${this.name}> has child elements; it cannot also have text`);
    this.text = (this.text ?? '') + text;
    return this;
  }

  /** Writes this element and its descendants, two spaces per level, without a final newline. */
  write(out: string[], indent: string): void {
    out.push(indent, '<', this.name, this.attrs);
    if (this.children.length > 0) {
      out.push('>\n');
      const inner = indent + '  ';
      for (const child of this.children) {
        child.write(out, inner);
        out.push('\n');
      }
      out.push(indent, '</', this.name, '>');
    } else if (this.text !== undefined && this.text !== '') {
      out.push('>', escapeText(this.text), '</', this.name, '>');
    } else {
      out.push('/>');
    }
  }
}

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** The document as text: optional UTF-8 declaration, the root, and a final newline. */
export function serializeXml(root: ElementWriter, opts: { readonly declaration?: boolean } = {}): string {
  const out: string[] = opts.declaration === false ? [] : [DECLARATION];
  root.write(out, '');
  out.push('\n');
  return out.join('');
}

const TEXT_SPECIAL = /[&<>\r]/;
const TEXT_SPECIALS = /[&<>\r]/g;
const ATTRIBUTE_SPECIAL = /[&<>"\t\n\r]/;
const ATTRIBUTE_SPECIALS = /[&<>"\t\n\r]/g;
const ENTITY: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\t': '&#x9;',
  '\n': '&#xA;',
  '\r': '&#xD;',
};
const entity = (c: string): string => ENTITY[c]!;

export function escapeText(s: string): string {
  return TEXT_SPECIAL.test(s) ? s.replace(TEXT_SPECIALS, entity) : s;
}

export function escapeAttribute(s: string): string {
  return ATTRIBUTE_SPECIAL.test(s) ? s.replace(ATTRIBUTE_SPECIALS, entity) : s;
}
