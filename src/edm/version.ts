/**
 * Which EDM version a message speaks. The request decides the version (DESIGN §4): every
 * version-dependent step keys on the `SpecificationIdentifier` slot read here.
 */
import { AdapterError } from '../errors.js';
import { EDM_VERSIONS, type EdmVersion } from './model.js';
import { NS } from './xml/namespaces.js';
import { child, childrenNamed, attr, type XmlElement } from './xml/tree.js';

export type VersionReading =
  { readonly version: EdmVersion } | { readonly version: undefined; readonly raw: string | undefined };

export function isEdmVersion(value: string): value is EdmVersion {
  return (EDM_VERSIONS as readonly string[]).includes(value);
}

/**
 * Reads the top-level `rim:Slot[@name='SpecificationIdentifier']/rim:SlotValue/rim:Value` of a
 * QueryRequest or QueryResponse. `raw` is the trimmed value as written when it names no supported
 * version, and undefined when the slot or its value is absent.
 */
export function readVersion(root: XmlElement): VersionReading {
  const raw = specificationIdentifier(root);
  if (raw !== undefined && isEdmVersion(raw)) return { version: raw };
  return { version: undefined, raw };
}

function specificationIdentifier(root: XmlElement): string | undefined {
  // By @name, never by position: slot order is not significant (TDD 4.5.x).
  const slot = childrenNamed(root, NS.rim, 'Slot').find((s) => attr(s, 'name') === 'SpecificationIdentifier');
  const slotValue = slot === undefined ? undefined : child(slot, NS.rim, 'SlotValue');
  const value = slotValue === undefined ? undefined : child(slotValue, NS.rim, 'Value');
  return value === undefined ? undefined : value.text.trim();
}

/** The message names no EDM version the adapter serves; the requester receives EDM:ERR:0003. */
export class UnsupportedVersionError extends AdapterError {
  override readonly name = 'UnsupportedVersionError';
  /** The SpecificationIdentifier as written; undefined when the message has none. */
  readonly specificationIdentifier: string | undefined;

  constructor(raw: string | undefined) {
    const supported = EDM_VERSIONS.join(', ');
    super(
      'ERR_EDM_UNSUPPORTED_VERSION',
      raw === undefined
        ? `missing SpecificationIdentifier; supported: ${supported}`
        : `unsupported SpecificationIdentifier ${JSON.stringify(raw)}; supported: ${supported}`,
      { edmCode: 'EDM:ERR:0003' },
    );
    this.specificationIdentifier = raw;
  }
}
