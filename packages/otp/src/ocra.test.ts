import { ocra, parseOcraSuite } from './ocra';
import { isChallengeOnly, ocraChallenge } from './ocra-challenge';

// Keys and vectors of RFC 6287 Appendix C.
const seed20 = Buffer.from('3132333435363738393031323334353637383930', 'hex');
const seed32 = Buffer.from('3132333435363738393031323334353637383930313233343536373839303132', 'hex');
const seed64 = Buffer.from(
  '31323334353637383930313233343536373839303132333435363738393031323334353637383930313233343536373839303132333435363738393031323334',
  'hex',
);
const digitsQ = ['00000000', '11111111', '22222222', '33333333', '44444444', '55555555', '66666666', '77777777', '88888888', '99999999'];

describe('OCRA (RFC 6287 Appendix C)', () => {
  it('one-way challenge-response OCRA-1:HOTP-SHA1-6:QN08', () => {
    const suite = parseOcraSuite('OCRA-1:HOTP-SHA1-6:QN08');
    const expected = ['237653', '243178', '653583', '740991', '608993', '388898', '816933', '224598', '750600', '294470'];
    expect(digitsQ.map((q) => ocra(suite, seed20, { question: q }))).toEqual(expected);
  });

  it('OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1 with counters 0-9', () => {
    const suite = parseOcraSuite('OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1');
    const expected = [
      '65347737',
      '86775851',
      '78192410',
      '71565254',
      '10104329',
      '65983500',
      '70069104',
      '91771096',
      '75011558',
      '08522129',
    ];
    const got = expected.map((_, c) => ocra(suite, seed32, { counter: BigInt(c), question: '12345678', pin: '1234' }));
    expect(got).toEqual(expected);
  });

  it('OCRA-1:HOTP-SHA256-8:QN08-PSHA1', () => {
    const suite = parseOcraSuite('OCRA-1:HOTP-SHA256-8:QN08-PSHA1');
    const expected = ['83238735', '01501458', '17957585', '86776967', '86807031'];
    const pinHashHex = '7110eda4d09e062aa5e4a390b0a572ac0d2c0220';
    expect(digitsQ.slice(0, 5).map((q) => ocra(suite, seed32, { question: q, pinHashHex }))).toEqual(expected);
  });

  it('OCRA-1:HOTP-SHA512-8:C-QN08', () => {
    const suite = parseOcraSuite('OCRA-1:HOTP-SHA512-8:C-QN08');
    const expected = [
      '07016083',
      '63947962',
      '70123924',
      '25341727',
      '33203315',
      '34205738',
      '44343969',
      '51946085',
      '20403879',
      '31409299',
    ];
    expect(digitsQ.map((q, c) => ocra(suite, seed64, { counter: BigInt(c), question: q }))).toEqual(expected);
  });

  it('OCRA-1:HOTP-SHA512-8:QN08-T1M', () => {
    const suite = parseOcraSuite('OCRA-1:HOTP-SHA512-8:QN08-T1M');
    const expected = ['95209754', '55907591', '22048402', '24218844', '36209546'];
    expect(digitsQ.slice(0, 5).map((q) => ocra(suite, seed64, { question: q, timeStepsHex: '132d0b6' }))).toEqual(expected);
  });

  it('plain signature OCRA-1:HOTP-SHA512-8:QA10-T1M', () => {
    const suite = parseOcraSuite('OCRA-1:HOTP-SHA512-8:QA10-T1M');
    const qs = ['SIG1000000', 'SIG1100000', 'SIG1200000', 'SIG1300000', 'SIG1400000'];
    const expected = ['77537423', '31970405', '10235557', '95213541', '65360607'];
    expect(qs.map((q) => ocra(suite, seed64, { question: q, timeStepsHex: '132d0b6' }))).toEqual(expected);
  });

  // C.2: the server hashes the client's challenge then its own; the client the other way round.
  const cli = ['CLI22220', 'CLI22221', 'CLI22222', 'CLI22223', 'CLI22224'];
  const srv = ['SRV11110', 'SRV11111', 'SRV11112', 'SRV11113', 'SRV11114'];

  it('mutual challenge-response, server side OCRA-1:HOTP-SHA256-8:QA08', () => {
    const suite = parseOcraSuite('OCRA-1:HOTP-SHA256-8:QA08');
    const expected = ['28247970', '01984843', '65387857', '03351211', '83412541'];
    expect(cli.map((c, i) => ocra(suite, seed32, { challenges: [c, srv[i]!] }))).toEqual(expected);
  });

  it('mutual challenge-response, client side OCRA-1:HOTP-SHA256-8:QA08', () => {
    const suite = parseOcraSuite('OCRA-1:HOTP-SHA256-8:QA08');
    const expected = ['15510767', '90175646', '33777207', '95285278', '28934924'];
    expect(srv.map((s, i) => ocra(suite, seed32, { challenges: [s, cli[i]!] }))).toEqual(expected);
  });

  it('mutual challenge-response, server side OCRA-1:HOTP-SHA512-8:QA08', () => {
    const suite = parseOcraSuite('OCRA-1:HOTP-SHA512-8:QA08');
    const expected = ['79496648', '76831980', '12250499', '90856481', '12761449'];
    expect(cli.map((c, i) => ocra(suite, seed64, { challenges: [c, srv[i]!] }))).toEqual(expected);
  });

  it('mutual challenge-response, client side OCRA-1:HOTP-SHA512-8:QA08-PSHA1', () => {
    const suite = parseOcraSuite('OCRA-1:HOTP-SHA512-8:QA08-PSHA1');
    const expected = ['18806276', '70020315', '01600026', '18951020', '32528969'];
    expect(srv.map((s, i) => ocra(suite, seed64, { challenges: [s, cli[i]!], pin: '1234' }))).toEqual(expected);
  });

  it('plain signature OCRA-1:HOTP-SHA256-8:QA08', () => {
    const suite = parseOcraSuite('OCRA-1:HOTP-SHA256-8:QA08');
    const qs = ['SIG10000', 'SIG11000', 'SIG12000', 'SIG13000', 'SIG14000'];
    const expected = ['53095496', '04110475', '31331128', '76028668', '46554205'];
    expect(qs.map((q) => ocra(suite, seed32, { question: q }))).toEqual(expected);
  });

  it("derives the vectors' time step 132d0b6 from the clock (Mar 25 2008, 12:06:30 UTC)", () => {
    const suite = parseOcraSuite('OCRA-1:HOTP-SHA512-8:QN08-T1M');
    expect(ocra(suite, seed64, { question: '00000000', timeSeconds: Date.UTC(2008, 2, 25, 12, 6, 30) / 1000 })).toBe('95209754');
  });

  it('binds the session and time inputs: any change gives another value', () => {
    const suite = parseOcraSuite('OCRA-1:HOTP-SHA256-6:QH64-S064-T1M');
    const base = { question: 'ab'.repeat(32), session: Buffer.alloc(48, 1), timeSeconds: 1_700_000_000 };
    const v = ocra(suite, seed32, base);
    expect(v).toMatch(/^\d{6}$/);
    expect(ocra(suite, seed32, { ...base, session: Buffer.alloc(48, 2) })).not.toBe(v);
    expect(ocra(suite, seed32, { ...base, timeSeconds: base.timeSeconds + 60 })).not.toBe(v);
    expect(ocra(suite, seed32, { ...base, question: 'ac'.repeat(32) })).not.toBe(v);
  });

  it('refuses suites outside the grammar, with a reason', () => {
    const bad: Array<[string, RegExp]> = [
      ['OCRA-2:HOTP-SHA1-6:QN08', /invalid OCRA suite/],
      ['OCRA-1:HOTP-SHA1-6', /invalid OCRA suite/],
      ['OCRA-1:HOTP-MD5-6:QN08', /crypto function/],
      ['OCRA-1:HOTP-SHA1-3:QN08', /digits/],
      ['OCRA-1:HOTP-SHA1-11:QN08', /digits/],
      ['OCRA-1:HOTP-SHA1-6:T1M', /question/],
      ['OCRA-1:HOTP-SHA1-6:QX08', /data input "QX08"/],
      ['OCRA-1:HOTP-SHA1-6:QN03', /04 to 64/],
      ['OCRA-1:HOTP-SHA1-6:QN65', /04 to 64/],
      ['OCRA-1:HOTP-SHA1-6:QN8', /data input "QN8"/],
      ['OCRA-1:HOTP-SHA1-6:QN08-C', /in this order/],
      ['OCRA-1:HOTP-SHA1-6:QN08-T1M-S064', /in this order/],
      ['OCRA-1:HOTP-SHA1-6:QN08-QA08', /in this order/],
      ['OCRA-1:HOTP-SHA1-6:QN08-PMD5', /data input "PMD5"/],
      ['OCRA-1:HOTP-SHA1-6:QN08-S000', /001 to 512/],
      ['OCRA-1:HOTP-SHA1-6:QN08-S513', /001 to 512/],
      ['OCRA-1:HOTP-SHA1-6:QN08-T60S', /time step/],
      ['OCRA-1:HOTP-SHA1-6:QN08-T0M', /time step/],
      ['OCRA-1:HOTP-SHA1-6:QN08-T49H', /time step/],
    ];
    for (const [text, reason] of bad) {
      expect(() => parseOcraSuite(text)).toThrow(reason);
    }
    for (const good of ['OCRA-1:HOTP-SHA1-0:QH40', 'OCRA-1:HOTP-SHA512-10:C-QA64-PSHA512-S512-T48H', 'OCRA-1:HOTP-SHA256-4:QN04-T59S']) {
      expect(parseOcraSuite(good).text).toBe(good);
    }
  });

  it('refuses challenges outside the suite and missing inputs', () => {
    const suite = parseOcraSuite('OCRA-1:HOTP-SHA1-6:C-QN08');
    expect(() => ocra(suite, seed20, { question: '1234' })).toThrow(/counter/);
    expect(() => ocra(suite, seed20, { counter: 0n, question: '12' })).toThrow(/4 to 8/);
    expect(() => ocra(suite, seed20, { counter: 0n, question: '123456789' })).toThrow(/4 to 8/);
    expect(() => ocra(suite, seed20, { counter: 0n, question: '1234abcd' })).toThrow(/must be digits/);
    // Each challenge of a mutual pair is bounded by xx, not their concatenation.
    expect(() => ocra(suite, seed20, { counter: 0n, challenges: ['12345678', '123456789'] })).toThrow(/4 to 8/);
    expect(() => ocra(parseOcraSuite('OCRA-1:HOTP-SHA1-6:QH08'), seed20, { question: 'abcdefgh' })).toThrow(/hex digits/);
    expect(() => ocra(parseOcraSuite('OCRA-1:HOTP-SHA1-6:QA08'), seed20, { question: 'SIG 1000' })).toThrow(/printable/);
    expect(() => ocra(parseOcraSuite('OCRA-1:HOTP-SHA1-6:QA08-S064'), seed20, { question: 'SIG10000', session: Buffer.alloc(65) })).toThrow(
      /longer than 64/,
    );
  });

  it('gives the whole HMAC when the suite truncates to zero digits', () => {
    expect(ocra(parseOcraSuite('OCRA-1:HOTP-SHA256-0:QN08'), seed32, { question: '12345678' })).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('OCRA challenges', () => {
  it('fits the suite: digits for N and A, hex for H, at most the question length', () => {
    const key = Buffer.alloc(32, 7);
    expect(ocraChallenge(parseOcraSuite('OCRA-1:HOTP-SHA256-8:QN08'), key, 'a')).toMatch(/^\d{8}$/);
    expect(ocraChallenge(parseOcraSuite('OCRA-1:HOTP-SHA256-8:QA06'), key, 'a')).toMatch(/^\d{6}$/);
    expect(ocraChallenge(parseOcraSuite('OCRA-1:HOTP-SHA256-8:QH40'), key, 'a', 10)).toMatch(/^[0-9a-f]{10}$/);
    expect(ocraChallenge(parseOcraSuite('OCRA-1:HOTP-SHA256-8:QN08'), key, 'a')).toBe(
      ocraChallenge(parseOcraSuite('OCRA-1:HOTP-SHA256-8:QN08'), key, 'a'),
    );
    expect(ocraChallenge(parseOcraSuite('OCRA-1:HOTP-SHA256-8:QN08'), key, 'b')).not.toBe(
      ocraChallenge(parseOcraSuite('OCRA-1:HOTP-SHA256-8:QN08'), key, 'a'),
    );
  });

  it('tells the suites whose response the server alone can know', () => {
    expect(isChallengeOnly(parseOcraSuite('OCRA-1:HOTP-SHA256-8:QN08'))).toBe(true);
    for (const s of [
      'OCRA-1:HOTP-SHA256-8:C-QN08',
      'OCRA-1:HOTP-SHA256-8:QN08-PSHA1',
      'OCRA-1:HOTP-SHA256-8:QN08-S064',
      'OCRA-1:HOTP-SHA256-8:QN08-T1M',
    ]) {
      expect(isChallengeOnly(parseOcraSuite(s))).toBe(false);
    }
  });
});
