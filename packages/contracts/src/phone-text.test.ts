import { messageTemplates } from './message-events';
import { certifiedMessage, senderName, transactionData } from './common';
import { UNSAFE_TEXT, unsafeTextReason } from './phone-text';

const tx = (payee: string) => ({ amount: 1250, currency: 'EUR', payee });

describe('text that reaches a phone', () => {
  it.each([
    ['a line break', 'Shop\n\nIgnore above: you approve EUR 9.99 only'],
    ['CR LF', 'Shop\r\nRefund'],
    ['a tab', 'Shop\tRefund'],
    ['right-to-left override', 'Shop \u202Epohs'],
    ['a bidi isolate', 'Shop \u2066x\u2069'],
    ['a zero-width space', 'Sh\u200Bop'],
    ['a zero-width joiner', 'Sh\u200Dop'],
    ['a byte order mark', '\uFEFFShop'],
    ['a line separator', 'Shop\u2028Refund'],
    ['a paragraph separator', 'Shop\u2029Refund'],
    ['three digits', 'Shop 482'],
    ['fullwidth digits', 'Shop ４８２'],
    ['Arabic-Indic digits', 'Shop ٤٨٢'],
    ['superscript digits', 'Shop ⁴⁸²'],
    ['circled digits', 'Shop ④⑧②'],
    ['spaced digits', 'Shop 48 29 13'],
    ['dotted digits', 'Shop 9.99'],
    ['dashed digits', 'Shop 48-29'],
    ['a currency sign', 'Shop €'],
    ['stacked combining marks', 'S\u0336\u0336\u0336hop'],
    ['a combining grapheme joiner between digits', 'Shop 4\u034F8\u034F2'],
    ['variation selectors between digits', 'Shop 4\uFE008\uFE002'],
    ['accents between digits', 'Shop 4\u03008\u03002'],
    ['keycap digits', 'Shop 4\uFE0F\u20E38\uFE0F\u20E3'],
    ['en-dashed digits', 'Shop 48–29–13'],
    ['minus-sign digits', 'Shop 48\u221229'],
    ['bracketed digits', 'Shop 48(2)'],
    ['a Hangul filler', 'Shop\u3164Refund'],
    ['a fullwidth currency sign', 'Shop ＄'],
  ])('refuses a payee with %s', (_what, payee) => {
    const result = transactionData.safeParse(tx(payee));
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ code: 'custom', path: ['payee'], params: { code: UNSAFE_TEXT } });
  });

  it.each(['Boulangerie Paul', 'Café de Flore', 'Shop2', 'Zoë & Co', 'Müller-Lüdenscheid 24'])('accepts the payee %s', (payee) => {
    expect(transactionData.safeParse(tx(payee)).success).toBe(true);
  });

  it('refuses unsafe item names and leaves the others', () => {
    const items = (name: string) => ({ ...tx('Shop'), items: [{ name, quantity: 1 }] });
    expect(transactionData.safeParse(items('Baguette')).success).toBe(true);
    expect(transactionData.safeParse(items('Baguette\nTotal 1 EUR')).success).toBe(false);
  });

  it('lets a certified statement hold numbers and dates, not a code', () => {
    expect(certifiedMessage.safeParse({ text: 'I order 30 pallets of bricks, delivery 2026-12-01' }).success).toBe(true);
    expect(certifiedMessage.safeParse({ text: 'I order 30 pallets, code 48 29 13' }).success).toBe(false);
    expect(certifiedMessage.safeParse({ text: 'I order ４８２９１３ pallets' }).success).toBe(false);
    expect(certifiedMessage.safeParse({ text: 'I order 30 pallets\nIgnore above' }).success).toBe(false);
    expect(certifiedMessage.safeParse({ text: 'I order 3 bricks" and nothing else "' }).success).toBe(false);
    expect(certifiedMessage.safeParse({ text: 'Delivery 01/12/2026 or 2026-12-24, 12.50 each' }).success).toBe(true);
    expect(certifiedMessage.safeParse({ text: 'I order 30 pallets, code 48-29-13' }).success).toBe(false);
    expect(certifiedMessage.safeParse({ text: 'I order 30 pallets, code 4829-13-57' }).success).toBe(false);
  });

  it('refuses sender names that could pass for a code or hide a line', () => {
    expect(senderName.safeParse('Acme Bank').success).toBe(true);
    expect(senderName.safeParse('Acme ４８２').success).toBe(false);
    expect(senderName.safeParse('Acme\u200B').success).toBe(false);
    expect(senderName.safeParse('Acme 12').success).toBe(false);
    expect(senderName.safeParse('12 Acme').success).toBe(false);
    expect(senderName.safeParse('Shop2Go').success).toBe(true);
  });

  it('wants each placeholder of a template once, and the same safety as any text', () => {
    const transaction = (t: string) => messageTemplates.safeParse({ transaction: t }).success;
    expect(transaction('Acme: pay {amount} to {payee}, code {code}')).toBe(true);
    expect(transaction('Acme: refund of {amount} from {payee} ({amount}), code {code}')).toBe(false);
    expect(transaction('Acme: pay {amount} to {payee}, code {code}\nor only EUR 1')).toBe(false);
    expect(transaction('Acme: pay {amount} to {payee}, code {code} or only $ 1')).toBe(false);
    // A digit beside a placeholder would lengthen the code or the amount on the phone.
    expect(transaction('Acme: pay {amount}0 to {payee}, code {code}')).toBe(false);
  });

  it('names no reason for a safe text', () => {
    expect(unsafeTextReason('Boulangerie Paul')).toBeUndefined();
  });
});
