import { isReceipt, parseReceipt } from './receipt';

describe('delivery receipts', () => {
  it('recognises receipts by esm_class', () => {
    expect(isReceipt(0x04)).toBe(true);
    expect(isReceipt(0x00)).toBe(false);
    expect(isReceipt(0x40)).toBe(false);
  });

  it('prefers the TLVs over the text', () => {
    const r = parseReceipt('A1B2', 2, 'id:zzz stat:UNDELIV');
    expect(r).toEqual({ smscMessageId: 'A1B2', state: 'delivered', stat: 'DELIVRD', error: undefined });
  });

  it('reads the text form with or without seconds, and an error code', () => {
    const t1 = 'id:0123456789 sub:001 dlvrd:001 submit date:2611251012 done date:2611251013 stat:DELIVRD err:000 text:Your code';
    expect(parseReceipt(undefined, undefined, t1)).toMatchObject({ smscMessageId: '0123456789', state: 'delivered' });
    const t2 = 'id:7f3a sub:001 dlvrd:000 submit date:261125101201 done date:261125101305 stat:UNDELIV err:0b1';
    expect(parseReceipt(undefined, undefined, t2)).toMatchObject({ smscMessageId: '7f3a', state: 'failed', error: '0b1' });
    expect(parseReceipt(undefined, undefined, 'id:9 stat:EXPIRED err:0')).toMatchObject({ state: 'expired' });
  });

  it('returns undefined when no id can be found', () => {
    expect(parseReceipt(undefined, undefined, 'hello')).toBeUndefined();
  });

  it('strips trailing NULs from the receipted_message_id', () => {
    expect(parseReceipt('abc\0', 2, '')?.smscMessageId).toBe('abc');
  });
});
