import { queueTypeMismatch } from './queue-type-mismatch';

/** An error as amqplib rejects a declare the broker refused. */
function refusal(code: number, text: string): Error {
  return Object.assign(new Error(`Operation failed: QueueDeclare; ${code} (PRECONDITION-FAILED) with message "${text}"`), { code });
}

describe('queueTypeMismatch', () => {
  it('names the queue, its type, the wanted one and the way out', () => {
    const e = refusal(
      406,
      "PRECONDITION_FAILED - inequivalent arg 'x-queue-type' for queue 'outband.data.rpc' in vhost 'outband': received 'quorum' but current is 'classic'",
    );
    const err = queueTypeMismatch(e, 'quorum');
    expect(err).toMatchObject({ code: 'CONFIG_INVALID', retryable: false });
    expect(err?.message).toMatch(/^queue 'outband\.data\.rpc' is a classic queue but QUEUE_TYPE is quorum/);
    expect(err?.message).toContain('keep QUEUE_TYPE=classic');
    expect(err?.message).toContain('docs/operations.md');
  });

  it('takes a queue declared without the argument for classic, and reads the other way round', () => {
    const none = refusal(
      406,
      "PRECONDITION_FAILED - inequivalent arg 'x-queue-type' for queue 'q1' in vhost '/': received the value 'quorum' of type 'longstr' but current is none",
    );
    expect(queueTypeMismatch(none, 'quorum')?.message).toMatch(/^queue 'q1' is a classic queue but QUEUE_TYPE is quorum/);
    const quorum = refusal(
      406,
      "PRECONDITION_FAILED - inequivalent arg 'x-queue-type' for queue 'q2' in vhost '/': received 'classic' but current is 'quorum'",
    );
    expect(queueTypeMismatch(quorum, 'classic')?.message).toMatch(/^queue 'q2' is a quorum queue but QUEUE_TYPE is classic/);
  });

  it('leaves every other error alone', () => {
    const otherArg = refusal(406, "PRECONDITION_FAILED - inequivalent arg 'x-dead-letter-exchange' for queue 'q' in vhost '/'");
    expect(queueTypeMismatch(otherArg, 'quorum')).toBeUndefined();
    expect(queueTypeMismatch(refusal(403, "ACCESS_REFUSED - inequivalent arg 'x-queue-type'"), 'quorum')).toBeUndefined();
    expect(queueTypeMismatch(new Error('connect ECONNREFUSED'), 'quorum')).toBeUndefined();
    expect(queueTypeMismatch(null, 'quorum')).toBeUndefined();
  });
});
