import { fromSeptets, isGsm7, septetLength, toPlainGsm, toSeptets } from './gsm7';
import { encodeText } from './segment';

describe('GSM 03.38', () => {
  it('round-trips the basic set and the extension table', () => {
    const text = 'Hello @£$¥ èé ÄÖÑÜ §¿ äöñüà Δ_ΦΓ {[~]}|^€\\ \f';
    expect(isGsm7(text)).toBe(true);
    expect(fromSeptets(toSeptets(text))).toBe(text);
  });

  it('charges two septets for each extension character', () => {
    expect(septetLength('abc')).toBe(3);
    expect(septetLength('€')).toBe(2);
    expect(septetLength('[]{}')).toBe(8);
    expect(toSeptets('€')).toEqual([0x1b, 0x65]);
  });

  it('knows what is not GSM', () => {
    expect(isGsm7('Straße')).toBe(true);
    expect(isGsm7('ç')).toBe(false);
    expect(isGsm7('Привет')).toBe(false);
    expect(isGsm7('😀')).toBe(false);
  });
});

describe('encodeText', () => {
  it("sends 160 GSM septets in one message with the route's data_coding", () => {
    const r = encodeText('a'.repeat(160), { reference: 1, gsmDataCoding: 1 });
    expect(r).toMatchObject({ encoding: 'gsm7', dataCoding: 1, udh: false });
    expect(r.parts).toHaveLength(1);
    expect(r.parts[0]).toHaveLength(160);
  });

  it('splits 161 septets into 153 + 8 with an 8-bit reference UDH', () => {
    const r = encodeText('a'.repeat(161), { reference: 0x42 });
    expect(r.udh).toBe(true);
    expect(r.parts.map((p) => p.length - 6)).toEqual([153, 8]);
    expect([...(r.parts[0]?.subarray(0, 6) ?? [])]).toEqual([0x05, 0x00, 0x03, 0x42, 2, 1]);
    expect([...(r.parts[1]?.subarray(0, 6) ?? [])]).toEqual([0x05, 0x00, 0x03, 0x42, 2, 2]);
  });

  it('uses 152 septets per part with a 16-bit reference', () => {
    const r = encodeText('a'.repeat(305), { reference: 0x1234, longMessages: 'udh16' });
    expect(r.parts.map((p) => p.length - 7)).toEqual([152, 152, 1]);
    expect([...(r.parts[2]?.subarray(0, 7) ?? [])]).toEqual([0x06, 0x08, 0x04, 0x12, 0x34, 3, 3]);
  });

  it('counts extension characters double: 80 euros are 160 septets, 81 need two parts', () => {
    expect(encodeText('€'.repeat(80), { reference: 1 }).parts).toHaveLength(1);
    expect(encodeText('€'.repeat(81), { reference: 1 }).parts).toHaveLength(2);
  });

  it('never splits an escape sequence across parts', () => {
    // 152 plain septets then a euro: the escape would be septet 153, its code septet 154.
    const r = encodeText(`${'a'.repeat(152)}€${'b'.repeat(20)}`, { reference: 1 });
    const first = r.parts[0]?.subarray(6) ?? Buffer.alloc(0);
    expect(first.length).toBe(152);
    expect(first[first.length - 1]).toBe(0x61);
    expect([...(r.parts[1]?.subarray(6, 8) ?? [])]).toEqual([0x1b, 0x65]);
  });

  it('switches to UCS-2 for other scripts: 70 units single, 67 per part', () => {
    const one = encodeText('ж'.repeat(70), { reference: 1 });
    expect(one).toMatchObject({ encoding: 'ucs2', dataCoding: 8 });
    expect(one.parts[0]).toHaveLength(140);
    const two = encodeText('ж'.repeat(71), { reference: 1 });
    expect(two.parts.map((p) => (p.length - 6) / 2)).toEqual([67, 4]);
  });

  it('never splits a surrogate pair', () => {
    // 66 BMP characters then an emoji (2 units): units 67 and 68 are its pair.
    const r = encodeText(`${'ж'.repeat(66)}😀${'ж'.repeat(10)}`, { reference: 1 });
    expect((r.parts[0]?.length ?? 0) - 6).toBe(132);
    expect(r.parts[1]?.readUInt16BE(6)).toBe(0xd83d);
    const text = r.parts.map((p) => p.subarray(6).swap16().toString('utf16le')).join('');
    expect(text).toBe(`${'ж'.repeat(66)}😀${'ж'.repeat(10)}`);
  });

  it('puts a long text in message_payload when the route asks for it', () => {
    const r = encodeText('a'.repeat(400), { reference: 1, longMessages: 'payload' });
    expect(r).toMatchObject({ payload: true, udh: false });
    expect(r.parts).toHaveLength(1);
  });

  it('refuses to split for single-part receivers', () => {
    expect(() => encodeText('a'.repeat(161), { reference: 1, singlePartOnly: true })).toThrow(/does not fit/);
  });
});

describe('toPlainGsm', () => {
  it('keeps GSM letters, strips accents that GSM lacks, and replaces the rest', () => {
    expect(toPlainGsm('Code 123 é à ç Ê')).toBe('Code 123 é à c E');
    expect(toPlainGsm('€ [x] 😀')).toBe('? ?x? ?');
  });
});
