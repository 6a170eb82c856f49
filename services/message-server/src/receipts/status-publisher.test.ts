import { checkTopicBody, messageStatus, type MessageStatus } from '@outband/contracts';
import { statusError, statusEvent, statusPublisher } from './status-publisher';
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

const at = new Date('2025-01-01T00:00:00.000Z');
const report = (i: number) => ({
  messageId: `00000000-0000-4000-8000-00000000000${i}`,
  verificationId: `ve_${String(i).padStart(32, '0')}`,
  state: 'submitted' as const,
  smscMessageId: `m${i}`,
});

describe('status reports', () => {
  it('sends the reports of one moment as one version 2 message, each with its correlation id', async () => {
    const sent: Array<{ body: MessageStatus; correlationId: string | undefined }> = [];
    const publish = statusPublisher(
      2,
      (body, correlationId) => Promise.resolve(void sent.push({ body, correlationId })),
      () => at,
    );

    await Promise.all([publish(report(1), 'req-1'), publish(report(2)), publish(report(3), 'req-3')]);

    expect(sent).toHaveLength(1);
    const body = messageStatus.parse(sent[0]?.body);
    expect(body.version).toBe(2);
    expect(body.version === 2 && body.reports.map((r) => [r.messageId, r.correlationId])).toEqual([
      [report(1).messageId, 'req-1'],
      [report(2).messageId, undefined],
      [report(3).messageId, 'req-3'],
    ]);
  });

  it('fails every report of a batch the broker did not take, so each sender tries again', async () => {
    const publish = statusPublisher(2, () => Promise.reject(new Error('broker away')));
    const outcomes = await Promise.allSettled([publish(report(1)), publish(report(2))]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
  });

  it('sends one version 1 message per report for a data server of the previous release', async () => {
    const sent: Array<{ body: MessageStatus; correlationId: string | undefined }> = [];
    const publish = statusPublisher(
      1,
      (body, correlationId) => Promise.resolve(void sent.push({ body, correlationId })),
      () => at,
    );

    await Promise.all([publish(report(1), 'req-1'), publish(report(2))]);

    expect(sent.map((s) => [s.body.version, s.correlationId])).toEqual([
      [1, 'req-1'],
      [1, undefined],
    ]);
    expect(sent[0]?.body).toMatchObject({ type: 'message.status', messageId: report(1).messageId, at: at.toISOString() });
  });
});
