/**
 * The level of assurance through the real OpenID login against the sandbox provider: the adapter
 * asks with acr_values, the provider's page preselects the first requested level, the tester's
 * choice comes back as the ID token's acr (validated by openid-client), and identityFromClaims reads it.
 */
import { createOidcLogin } from '../../src/preview/oidc.js';
import { startSandboxIdp, type SandboxIdp } from '../../src/sandbox/idp.js';
import { formOf } from './preview-support.js';

let idp: SandboxIdp;
const redirectUri = 'http://127.0.0.1:9/preview/callback';
beforeAll(async () => {
  idp = await startSandboxIdp({});
});
afterAll(() => idp.stop());

async function loginAt(acrValues: string | undefined, chosen: string | undefined): Promise<string | undefined> {
  const oidc = createOidcLogin({
    issuer: idp.issuer,
    clientId: 'oots-preview',
    clientSecret: undefined,
    redirectUri,
    scopes: 'openid profile',
    identifierClaim: 'person_identifier',
  });
  const { url, checks } = await oidc.begin({ uiLocales: 'en', ...(acrValues === undefined ? {} : { acrValues }) });
  expect(new URL(url).searchParams.get('acr_values')).toBe(acrValues ?? null);
  const page = await (await fetch(url)).text();
  const preselected = /<input type="radio" name="acr" id="l\d" value="([^"]+)" checked>/.exec(page)?.[1];
  const { fields } = formOf(page);
  const body = new URLSearchParams({
    ...fields,
    person: 'sandbox-janis',
    login: '1',
    ...(chosen === undefined ? {} : { acr: chosen }),
  });
  const posted = await fetch(`${idp.issuer}/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
    redirect: 'manual',
  });
  expect(posted.status).toBe(303);
  const identity = await oidc.complete(new URL(posted.headers.get('location')!), checks);
  expect(identity.identifier).toBe('LV/LV/23117510621');
  return `${preselected ?? '-'} -> ${identity.acr ?? '-'}`;
}

describe('acr through the sandbox provider', () => {
  test('the first requested level is preselected and, when kept, is the acr', async () => {
    expect(await loginAt('http://eidas.europa.eu/LoA/substantial http://eidas.europa.eu/LoA/high', undefined)).toBe(
      'http://eidas.europa.eu/LoA/substantial -> http://eidas.europa.eu/LoA/substantial',
    );
  });

  test('the tester may choose a lower level: the token says so', async () => {
    expect(await loginAt('http://eidas.europa.eu/LoA/high', 'http://eidas.europa.eu/LoA/low')).toBe(
      'http://eidas.europa.eu/LoA/high -> http://eidas.europa.eu/LoA/low',
    );
  });

  test('without acr_values the provider logs in at High; an unknown posted level is ignored', async () => {
    expect(await loginAt(undefined, 'urn:made-up')).toBe(
      'http://eidas.europa.eu/LoA/high -> http://eidas.europa.eu/LoA/high',
    );
  });

  test('discovery lists the levels and the acr claim', async () => {
    const meta = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      string[]
    >;
    expect(meta.acr_values_supported).toEqual([
      'http://eidas.europa.eu/LoA/low',
      'http://eidas.europa.eu/LoA/substantial',
      'http://eidas.europa.eu/LoA/high',
    ]);
    expect(meta.claims_supported).toContain('acr');
  });
});
