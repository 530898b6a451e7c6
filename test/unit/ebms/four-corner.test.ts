import { namesParty, recipientMismatch, repeatedProperty, senderMismatch } from '../../../src/ebms/four-corner.js';
import { userMessage } from '../../support/exchange-fixtures.js';

const ER = { value: '05315000-BUERGERAMT-01', schemeID: 'urn:cef.eu:names:identifier:EAS:0204' };
const EP = { value: '90000012827', schemeID: 'urn:cef.eu:names:identifier:EAS:9939' };

describe('namesParty: the spellings of a corner', () => {
  test.each([
    ['type = schemeID, value = identifier', { name: 'originalSender', value: ER.value, type: ER.schemeID }, true],
    [
      'the same with the scheme in another case',
      { name: 'originalSender', value: ER.value, type: ER.schemeID.toUpperCase() },
      true,
    ],
    [
      'the older form: URN in the value, no type',
      { name: 'originalSender', value: `${ER.schemeID}:${ER.value}` },
      true,
    ],
    [
      'the older form with an unregistered type',
      {
        name: 'originalSender',
        value: `${ER.schemeID}:${ER.value}`,
        type: 'urn:oasis:names:tc:ebcore:partyid-type:unregistered',
      },
      true,
    ],
    [
      'the ebCore ISO 6523 spelling of the EAS code (value)',
      { name: 'originalSender', value: `urn:oasis:names:tc:ebcore:partyid-type:iso6523:0204:${ER.value}` },
      true,
    ],
    [
      'the ebCore ISO 6523 spelling of the EAS code (type)',
      { name: 'originalSender', value: ER.value, type: 'urn:oasis:names:tc:ebcore:partyid-type:iso6523:0204' },
      true,
    ],
    [
      'the right value under another scheme',
      { name: 'originalSender', value: ER.value, type: 'urn:cef.eu:names:identifier:EAS:9930' },
      false,
    ],
    ['the right value without a type', { name: 'originalSender', value: ER.value }, false],
    ['another identifier', { name: 'originalSender', value: 'DE73524311', type: ER.schemeID }, false],
    [
      'a URN whose identifier only ends like it',
      { name: 'originalSender', value: `${ER.schemeID}:X${ER.value}` },
      false,
    ],
    [
      'a URN of another scheme',
      { name: 'originalSender', value: `urn:cef.eu:names:identifier:EAS:0205:${ER.value}` },
      false,
    ],
  ])('%s', (_n, p, expected) => {
    expect(namesParty(p, ER)).toBe(expected);
  });
});

describe('the header against the payload', () => {
  const um = (sender: string, recipient: string) =>
    userMessage({
      properties: [
        { name: 'originalSender', value: sender, type: ER.schemeID },
        { name: 'finalRecipient', value: recipient, type: EP.schemeID },
      ],
    });
  test('a consistent header passes', () => {
    expect(senderMismatch(um(ER.value, EP.value), [ER])).toBeUndefined();
    expect(recipientMismatch(um(ER.value, EP.value), [EP])).toBeUndefined();
  });
  test('a forged sender names the four-corner rule and the payload requester', () => {
    expect(senderMismatch(um('DE73524311', EP.value), [ER])).toMatch(
      /four-corner model.*originalSender \(C1\).*05315000-BUERGERAMT-01/,
    );
  });
  test('any of the payload requesters may be the sender (v2.0 intermediaries)', () => {
    expect(senderMismatch(um(ER.value, EP.value), [{ value: 'IP-1', schemeID: ER.schemeID }, ER])).toBeUndefined();
  });
  test('a foreign recipient is named as such; the issuing authority of the mapping is ours too', () => {
    const authority = { value: '90000045122', schemeID: EP.schemeID };
    expect(recipientMismatch(um(ER.value, 'DE99999999'), [EP, authority])).toMatch(
      /finalRecipient \(C4\).*90000012827.*or 90000045122/,
    );
    expect(recipientMismatch(um(ER.value, '90000045122'), [EP, authority])).toBeUndefined();
  });
  test('a repeated property is found, whichever comes first', () => {
    const twice = userMessage({
      properties: [
        { name: 'originalSender', value: ER.value, type: ER.schemeID },
        { name: 'finalRecipient', value: EP.value, type: EP.schemeID },
        { name: 'originalSender', value: 'DE73524311', type: ER.schemeID },
      ],
    });
    expect(repeatedProperty(twice)).toBe('originalSender');
    expect(repeatedProperty(um(ER.value, EP.value))).toBeUndefined();
  });
});
