/** Namespace URIs of the OOTS EDM and the prefixes our builders write. */
export const NS = {
  query: 'urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0',
  rim: 'urn:oasis:names:tc:ebxml-regrep:xsd:rim:4.0',
  rs: 'urn:oasis:names:tc:ebxml-regrep:xsd:rs:4.0',
  lcm: 'urn:oasis:names:tc:ebxml-regrep:xsd:lcm:4.0',
  sdg: 'http://data.europa.eu/p4s',
  xlink: 'http://www.w3.org/1999/xlink',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  xml: 'http://www.w3.org/XML/1998/namespace',
  xmlns: 'http://www.w3.org/2000/xmlns/',
  eb: 'http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/',
} as const;

export type NsPrefix = keyof typeof NS;
