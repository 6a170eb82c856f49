import { isGsm7, septetLength } from '@outband/sms-codec';
import { formatAmount, renderNotice, renderText } from './templates';

const params = { code: '482913', expiresInSeconds: 300 };
const opts = { purpose: 'login' as const, pagerMaxLength: 20 };

describe('renderText', () => {
  it("writes the full text on a phone, in the subscriber's locale", () => {
    expect(renderText({ ...opts, locale: 'en', receiverKind: 'mobile' }, params)).toBe(
      'Your Outband login code is 482913. It expires in 5 min. Never share it.',
    );
    expect(renderText({ ...opts, locale: 'fr', receiverKind: 'mobile' }, params)).toBe(
      'Votre code de connexion Outband est 482913. Il expire dans 5 min. Ne le partagez jamais.',
    );
  });

  it('keeps an alphanumeric pager text within the route limit, in plain GSM', () => {
    const t = renderText({ ...opts, locale: 'fr', receiverKind: 'pager-alpha' }, params);
    expect(t.length).toBeLessThanOrEqual(20);
    expect(renderText({ ...opts, pagerMaxLength: 80, locale: 'en', receiverKind: 'pager-alpha' }, params)).toBe(
      'Outband login code 482913',
    );
  });

  it('sends digits only to a numeric pager', () => {
    expect(renderText({ ...opts, locale: 'en', receiverKind: 'pager-numeric' }, params)).toBe('482913');
  });

  it('rebrands only the operator wording: a payee or a statement is shown as the person approves it', () => {
    const tx = { ...params, senderName: 'Acme', amount: { minor: 1250, currency: 'EUR' }, payee: 'Outband Ltd' };
    expect(renderText({ ...opts, purpose: 'transaction', locale: 'en', receiverKind: 'mobile' }, tx)).toBe(
      'Acme: approve €12.50 to Outband Ltd with code 482913. It expires in 5 min. Never share it.',
    );
    const template = 'Outband: pay {amount} to {payee}, code {code}';
    expect(renderText({ ...opts, purpose: 'transaction', locale: 'en', receiverKind: 'mobile' }, { ...tx, template })).toBe(
      'Acme: pay €12.50 to Outband Ltd, code 482913',
    );
    const statement = { ...params, senderName: 'Acme', statement: 'I leave Outband' };
    expect(renderText({ ...opts, purpose: 'message', locale: 'en', receiverKind: 'pager-alpha', pagerMaxLength: 80 }, statement)).toBe(
      'Code 482913 confirms: I leave Outband',
    );
  });

  it("shows the merchant's brand in place of Outband, on phones and pagers alike", () => {
    const branded = { ...params, senderName: 'Acme Shop' };
    expect(renderText({ ...opts, locale: 'en', receiverKind: 'mobile' }, branded)).toBe(
      'Your Acme Shop login code is 482913. It expires in 5 min. Never share it.',
    );
    expect(renderText({ ...opts, pagerMaxLength: 80, locale: 'en', receiverKind: 'pager-alpha' }, branded)).toBe(
      'Acme Shop login code 482913',
    );
    expect(renderText({ ...opts, locale: 'en', receiverKind: 'pager-numeric' }, branded)).toBe('482913');
  });

  it("writes a merchant's own template on phones, and the built-in text on pagers", () => {
    const own = {
      ...params,
      amount: { minor: 4200, currency: 'EUR' },
      payee: 'Acme',
      template: 'Acme: {code} pays {amount} to {payee} ({minutes} min).',
    };
    const tx = { ...opts, purpose: 'transaction' as const };
    expect(renderText({ ...tx, locale: 'en', receiverKind: 'mobile' }, own)).toBe('Acme: 482913 pays €42.00 to Acme (5 min).');
    expect(renderText({ ...tx, locale: 'en', receiverKind: 'pager-numeric' }, own)).toBe('482913 4200');
  });
});

describe('formatAmount', () => {
  it("writes minor units for the locale and the currency's digits", () => {
    expect(formatAmount(1250, 'EUR', 'fr')).toBe('12,50\u00a0€');
    expect(formatAmount(1250, 'EUR', 'en')).toBe('€12.50');
    expect(formatAmount(1250, 'JPY', 'en')).toBe('¥1,250');
  });
});

describe('transaction texts (dynamic linking: amount and payee in clear)', () => {
  const tx = { code: '482913', expiresInSeconds: 300, amount: { minor: 1250, currency: 'EUR' }, payee: 'Boulangerie Paul' };
  const t = { purpose: 'transaction' as const, pagerMaxLength: 80 };
  it('shows amount, payee and code on a phone, per locale', () => {
    expect(renderText({ ...t, locale: 'en', receiverKind: 'mobile' }, tx)).toBe(
      'Outband: approve €12.50 to Boulangerie Paul with code 482913. It expires in 5 min. Never share it.',
    );
    expect(renderText({ ...t, locale: 'fr', receiverKind: 'mobile' }, tx)).toContain('12,50 € à Boulangerie Paul avec le code 482913');
  });
  it('stays in the GSM alphabet (one SMS) even where the locale writes no-break spaces', () => {
    const text = renderText({ ...t, locale: 'fr', receiverKind: 'mobile' }, tx);
    expect(isGsm7(text)).toBe(true);
    expect(septetLength(text)).toBeLessThanOrEqual(160);
  });

  it('gives pagers the amount too: as plain text, or as digits', () => {
    expect(renderText({ ...t, locale: 'en', receiverKind: 'pager-alpha' }, tx)).toBe('Pay EUR 12.50 to Boulangerie Paul code 482913');
    expect(renderText({ ...t, locale: 'en', receiverKind: 'pager-numeric' }, tx)).toBe('482913 1250');
  });
});

describe('renderNotice', () => {
  it('writes a notice without a code, in GSM, shortened for a pager, and not at all for a numeric one', () => {
    for (const locale of ['en', 'fr'] as const) {
      const text = renderNotice('lockout_warning', { locale, receiverKind: 'mobile', pagerMaxLength: 20 });
      expect(isGsm7(text)).toBe(true);
      expect(text).not.toMatch(/\d/);
    }
    expect(renderNotice('lockout_permanent', { locale: 'en', receiverKind: 'pager-alpha', pagerMaxLength: 20 })).toHaveLength(20);
    expect(renderNotice('lockout_permanent', { locale: 'en', receiverKind: 'pager-numeric', pagerMaxLength: 20 })).toBe('');
  });
});
