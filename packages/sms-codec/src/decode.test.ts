import { decodeShortMessage } from './decode';
import { Reassembler } from './reassembler';
import { encodeText } from './segment';

describe('decodeShortMessage + Reassembler', () => {
  it('reads back every part of a long GSM text, in any order', () => {
    const text = `${'Lorem ipsum € '.repeat(25)}end`;
    const encoded = encodeText(text, { reference: 9 });
    const r = new Reassembler();
    const decoded = encoded.parts.map((p) => decodeShortMessage(p, encoded.dataCoding, true));
    expect(decoded.map((d) => d.concat?.sequence)).toEqual([1, 2, 3]);
    expect(r.add('a', 'b', decoded[2]?.concat, decoded[2]?.text ?? '')).toBeUndefined();
    expect(r.add('a', 'b', decoded[0]?.concat, decoded[0]?.text ?? '')).toBeUndefined();
    expect(r.add('a', 'b', decoded[1]?.concat, decoded[1]?.text ?? '')).toBe(text);
    expect(r.size).toBe(0);
  });

  it('reads UCS-2 with a 16-bit reference', () => {
    const text = 'Код подтверждения: 123456. '.repeat(5);
    const encoded = encodeText(text, { reference: 0xabcd, longMessages: 'udh16' });
    const parts = encoded.parts.map((p) => decodeShortMessage(p, 8, true));
    expect(parts[0]?.concat).toEqual({ reference: 0xabcd, total: parts.length, sequence: 1 });
    expect(parts.map((p) => p.text).join('')).toBe(text);
  });

  it('keeps parts of different senders apart and drops incomplete ones after the hold time', () => {
    const r = new Reassembler(1000);
    expect(r.add('a', 'x', { reference: 1, total: 2, sequence: 1 }, 'A1', 0)).toBeUndefined();
    expect(r.add('b', 'x', { reference: 1, total: 2, sequence: 2 }, 'B2', 0)).toBeUndefined();
    expect(r.size).toBe(2);
    expect(r.add('c', 'x', undefined, 'single', 5000)).toBe('single');
    expect(r.size).toBe(0);
  });
});
