import { renderText } from './message-text';

describe('renderText', () => {
  const base = { purpose: 'login' as const, code: '482913', expiresInSeconds: 300 };
  it('writes the full text for a phone, in its locale', () => {
    expect(renderText({ ...base, locale: 'en', receiverKind: 'mobile' })).toBe(
      'Your Outband login code is 482913. It expires in 5 min. Never share it.',
    );
    expect(renderText({ ...base, locale: 'fr', receiverKind: 'mobile' })).toContain('482913');
  });
  it('shapes the message for pagers', () => {
    expect(renderText({ ...base, locale: 'en', receiverKind: 'pager-numeric' })).toBe('482913');
    expect(renderText({ ...base, locale: 'en', receiverKind: 'pager-alpha' })).toBe('Outband code 482913');
  });
});
