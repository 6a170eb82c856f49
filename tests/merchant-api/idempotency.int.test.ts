import { randomUUID } from 'node:crypto';
import { api, waitForInbox } from '../support/http';
import { receivedBeforeNext } from '../support/signals';
import { startSuite, subscribers, type Suite } from '../support/suite';

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite();
});
afterAll(async () => {
  await suite?.stop();
});
beforeEach(() => {
  suite.sim.inbox.clear();
});

const start = (key: string, identifier = 'alice') =>
  api(suite, 'POST', '/v1/verifications', { body: { identifier }, headers: { 'idempotency-key': key } });

describe('Idempotency-Key', () => {
  it('replays the first answer to the same request: one verification, one SMS', async () => {
    const key = randomUUID();
    const first = await start(key);
    const again = await start(key);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('location')).toBe(`/v1/verifications/${first.body.id as string}`);
    // A later SMS to the handset arrives after any second one the replay could have sent.
    expect(await receivedBeforeNext(suite, 'alice', subscribers.alice.address)).toHaveLength(1);
  });

  it('refuses the same key with another request', async () => {
    const key = randomUUID();
    await start(key, 'alice');
    const other = await start(key, 'bob');
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(other.contentType).toContain('application/problem+json');
    // Its SMS must not land in the next test's inbox.
    await waitForInbox(suite, subscribers.alice.address, 1);
  });

  it('makes concurrent duplicates one verification and one SMS', async () => {
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 6 }, () => start(key)));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(answers.every((a) => a.status === 201)).toBe(true);
    // A later SMS to the handset arrives after any second one the replay could have sent.
    expect(await receivedBeforeNext(suite, 'alice', subscribers.alice.address)).toHaveLength(1);
  });

  it('runs requests without the header each time, and refuses a malformed key', async () => {
    const a = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice' } });
    const b = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice' } });
    expect(a.body.id).not.toBe(b.body.id);
    expect((await start('bad key with spaces')).body.code).toBe('IDEMPOTENCY_KEY_INVALID');
  });
});
