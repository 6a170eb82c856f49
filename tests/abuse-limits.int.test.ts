import { api, waitForInbox } from './support/http';
import { startSuite, subscribers, type Suite } from './support/suite';

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite({ env: { SEND_LIMIT_PER_ADDRESS: '3', SEND_LIMIT_WINDOW_SECONDS: '2' } });
});
afterAll(async () => {
  await suite?.stop();
});

const start = (identifier: string) => api(suite, 'POST', '/v1/verifications', { body: { identifier } });

describe('sends per address (SMS pumping, harassment)', () => {
  it('refuses the send over the limit with 429 and Retry-After, sends nothing, and recovers after the window', async () => {
    const first = [await start('alice'), await start('alice'), await start('alice')];
    expect(first.map((r) => r.status)).toEqual([201, 201, 201]);
    const refused = await start('alice');
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('TOO_MANY_SENDS');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Another handset is not affected.
    expect((await start('bob')).status).toBe(201);
    await waitForInbox(suite, subscribers.alice.address, 3);
    await new Promise((r) => setTimeout(r, 300));
    expect(suite.sim.inbox.list(subscribers.alice.address)).toHaveLength(3);
    await new Promise((r) => setTimeout(r, 2000));
    expect((await start('alice')).status).toBe(201);
  });
});
