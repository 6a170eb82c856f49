import { receiptBind } from './receipt-binds';

describe('receiptBind', () => {
  const binds = ['a', 'b', 'c'];

  it('sends to the oldest bind by default, whoever submitted', () => {
    expect(receiptBind(binds, 'b', 'first', 5)).toBe('a');
  });

  it('sends to the submitting bind, or the oldest when it cannot receive', () => {
    expect(receiptBind(binds, 'b', 'submitter', 0)).toBe('b');
    expect(receiptBind(binds, 'transmitter', 'submitter', 0)).toBe('a');
  });

  it('sends to a bind other than the submitting one, unless it is the only one', () => {
    expect(receiptBind(binds, 'a', 'other', 0)).toBe('b');
    expect(receiptBind(binds, 'b', 'other', 0)).toBe('a');
    expect(receiptBind(['a'], 'a', 'other', 0)).toBe('a');
  });

  it('takes the binds in turn', () => {
    expect([0, 1, 2, 3].map((turn) => receiptBind(binds, 'a', 'round-robin', turn))).toEqual(['a', 'b', 'c', 'a']);
  });

  it('finds none when no bind can receive', () => {
    expect(receiptBind([], 'a', 'round-robin', 0)).toBeUndefined();
    expect(receiptBind([], 'a', 'other', 0)).toBeUndefined();
  });
});
