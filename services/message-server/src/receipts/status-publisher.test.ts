import { checkTopicBody } from '@outband/contracts';
import { statusError, statusEvent } from './status-publisher';
import { attemptOf } from './submit.repository';

const wordy = `ESME_RSYSERR: ${'the SMSC explains at length '.repeat(20)}`;
const base = { messageId: '00000000-0000-4000-8000-000000000001', verificationId: `ve_${'0'.repeat(32)}` };

describe('statusError', () => {
  it('leaves a short error as it is and cuts a long one to the contract limit', () => {
    expect(statusError('ESME_RTHROTTLED')).toBe('ESME_RTHROTTLED');
    expect(statusError(wordy)).toBe(wordy.slice(0, 200));
  });

  it('does not end on half of a surrogate pair', () => {
    const cut = statusError(`${'x'.repeat(199)}😀 and more`);
    expect(cut).toBe('x'.repeat(199));
  });
});

describe('a status report with a wordy SMSC error', () => {
  it('is a body the bus takes, at the top level and in its attempt', () => {
    const attempt = attemptOf(1, 'main', null, ['ab12'], 'failed', wordy);
    expect(attempt.error).toHaveLength(200);
    const event = statusEvent({ ...base, state: 'queued', error: wordy, attempt }, new Date());
    expect(event.error).toHaveLength(200);
    expect(() => checkTopicBody('message.status', event)).not.toThrow();
  });
});
