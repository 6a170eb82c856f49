import { attemptOf, idForms } from './submit.repository';

describe('idForms', () => {
  it('matches a decimal receipt id to a hex submit id and back', () => {
    expect(idForms('255')).toEqual(expect.arrayContaining(['255', 'ff', 'FF']));
    expect(idForms('1A2b')).toEqual(expect.arrayContaining(['1A2b', '1a2b', '1A2B', '6699']));
  });

  it('leaves other ids alone', () => {
    expect(idForms('msg-77x')).toEqual(['msg-77x', 'MSG-77X']);
  });
});

describe('attemptOf', () => {
  it('shortens an error to what the bus contract takes', () => {
    const long = 'x'.repeat(500);
    expect(attemptOf(2, 'main', null, ['', 'ab12'], 'failed', long)).toEqual({
      number: 2,
      route: 'main',
      smscMessageIds: ['ab12'],
      state: 'failed',
      error: 'x'.repeat(200),
    });
    expect(attemptOf(1, 'main', null, [], 'failed', 'ESME_RSYSERR').error).toBe('ESME_RSYSERR');
  });
});
