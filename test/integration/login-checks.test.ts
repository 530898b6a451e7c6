/**
 * The preview's login policy against the real DAGR sandbox (ur_company_officers): the level of
 * assurance of the login, and the powers of representation of a company's evidence.
 */
import { checkLogin } from '../../src/preview/login-checks.js';
import type { PreviewContent } from '../../src/preview/session-model.js';
import type { PreviewLoginPolicy } from '../../src/exchange/ports.js';
import { startSandboxDagrClient } from '../support/sandbox-dagr.js';

let dagr: Awaited<ReturnType<typeof startSandboxDagrClient>>;
beforeAll(async () => {
  dagr = await startSandboxDagrClient();
});
afterAll(() => dagr.stop());

const HIGH = 'http://eidas.europa.eu/LoA/high';
const company = (key: string, levelOfAssurance: PreviewLoginPolicy['levelOfAssurance'] = 'Substantial') =>
  ({
    exchangeRef: 'x-login-checks',
    login: { levelOfAssurance, representation: { service: 'ur_company_officers', permission: '31045', key } },
  }) as unknown as PreviewContent;
const deps = () => ({ representationDagr: dagr.client, now: () => new Date('2026-12-07T10:00:00Z') });

describe('login policy with the DAGR sandbox', () => {
  test("the chair of SIA 'Zaļā Birzs' represents it individually", async () => {
    const r = await checkLogin(company('40003527919'), { identifier: 'LV/LV/23117510621', acr: HIGH }, deps());
    expect(r).toEqual({ ok: true, level: 'High', power: { position: 'ChairOfBoard', scope: 'individually' } });
  });

  test('a joint board member: shown, the scope recorded', async () => {
    const r = await checkLogin(company('40003527919'), { identifier: '080390-19275', acr: 'substantial' }, deps());
    expect(r).toMatchObject({ ok: true, level: 'Substantial', power: { scope: 'jointly', jointlyWith: 1 } });
  });

  test('a shareholder without powers, a former board member, another company: not for them', async () => {
    for (const [key, id, reason] of [
      ['40003527919', 'LV/LV/12048814731', 'representation: no-power'],
      ['40103672159', 'LV/LV/23117510621', 'representation: power-expired'],
      ['40103672159', 'LV/LV/17028115143', 'representation: not-listed'],
      // A company the register does not know (DAGR 404).
      ['40003581120', 'LV/LV/23117510621', 'representation: not-listed'],
    ] as const) {
      const r = await checkLogin(company(key), { identifier: id, acr: HIGH }, deps());
      expect(r).toEqual({ ok: false, refusal: 'not-for-you', reason });
    }
  });

  test('a login below the level is refused before DAGR is asked', async () => {
    const calls: unknown[] = [];
    const r = await checkLogin(
      company('40003527919', 'High'),
      { identifier: 'LV/LV/23117510621', acr: 'http://eidas.europa.eu/LoA/substantial' },
      { ...deps(), representationDagr: { lookup: (q) => (calls.push(q), dagr.client.lookup(q)) } },
    );
    expect(r).toEqual({ ok: false, refusal: 'level', reason: 'login at Substantial; High needed' });
    expect(calls).toEqual([]);
    const none = await checkLogin(company('40003527919', 'Low'), { identifier: 'LV/LV/23117510621' }, deps());
    expect(none).toMatchObject({ ok: false, refusal: 'level' });
  });

  test('without a DAGR client, or with the wrong permission, nothing is shown', async () => {
    const content = company('40003527919');
    const id = { identifier: 'LV/LV/23117510621', acr: HIGH };
    expect(await checkLogin(content, id, { now: deps().now })).toMatchObject({ ok: false, refusal: 'unavailable' });
    const wrong = {
      ...content,
      login: {
        levelOfAssurance: 'Low',
        representation: { service: 'ur_company_officers', permission: '31044', key: '40003527919' },
      },
    } as PreviewContent;
    expect(await checkLogin(wrong, id, deps())).toEqual({
      ok: false,
      refusal: 'unavailable',
      reason: 'DAGR forbidden',
    });
  });

  test('a register still preparing the officers record: try later, never "not for you"', async () => {
    const later = {
      lookup: () => Promise.resolve({ kind: 'deferred', retryAt: new Date('2026-12-07T10:00:00Z') } as const),
    };
    const r = await checkLogin(
      company('40003527919'),
      { identifier: 'LV/LV/23117510621', acr: HIGH },
      { ...deps(), representationDagr: later },
    );
    expect(r).toEqual({ ok: false, refusal: 'unavailable', reason: 'DAGR prepares the officers record later' });
  });

  test('a session without a policy is checked as before (identity only)', async () => {
    const r = await checkLogin({ exchangeRef: 'x' } as PreviewContent, { identifier: 'LV/LV/23117510621' }, deps());
    expect(r).toEqual({ ok: true, level: undefined, power: undefined });
  });
});
