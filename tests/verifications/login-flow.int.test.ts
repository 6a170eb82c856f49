import { api, eventually, readCode, waitForInbox } from '../support/http';
import { startSuite, subscribers, type Suite } from '../support/suite';
import { laterMessage } from '../support/signals';

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite();
});
afterAll(async () => {
  await suite?.stop();
});

async function start(identifier: string) {
  const res = await api(suite, 'POST', '/v1/verifications', { body: { identifier } });
  expect(res.status).toBe(201);
  return res.body as { id: string; status: string; to: string; expiresAt: string };
}

describe('login verification end to end (patent Fig. 4-5)', () => {
  it("sends the code to the subscriber's phone and approves it when typed back", async () => {
    const v = await start('alice');
    expect(v.status).toBe('pending');
    expect(v.to).toBe('+33 6 •• •• •• 78');
    expect(new Date(v.expiresAt).getTime()).toBeGreaterThan(Date.now() + 200_000);

    const code = await readCode(suite, subscribers.alice.address);
    const check = await api(suite, 'POST', `/v1/verifications/${v.id}/check`, { body: { code } });
    expect(check.status).toBe(200);
    expect(check.body.status).toBe('approved');

    const read = await api(suite, 'GET', `/v1/verifications/${v.id}`);
    expect(read.body.status).toBe('approved');
    const delivered = await eventually(async () => {
      const r = await api(suite, 'GET', `/v1/verifications/${v.id}`);
      const d = r.body.delivery as { state: string } | undefined;
      return d?.state === 'delivered' ? d : undefined;
    });
    expect(delivered.state).toBe('delivered');
  });

  it('writes the SMS as the product text', async () => {
    await start('bob');
    const code = await readCode(suite, subscribers.bob.address);
    const inbox = (await (
      await fetch(`http://127.0.0.1:${suite.sim.httpPort}/inbox/${encodeURIComponent(subscribers.bob.address)}`)
    ).json()) as { messages: Array<{ text: string; from: string }> };
    expect(inbox.messages[0]?.text).toBe(`Your Outband login code is ${code}. It expires in 5 min. Never share it.`);
    expect(inbox.messages[0]?.from).toBe('Outband');
  });

  it('refuses a wrong code with the attempts left, then accepts the right one', async () => {
    const v = await start('alice');
    const code = await readCode(suite, subscribers.alice.address, 2);
    const wrong = code === '000000' ? '000001' : '000000';
    const first = await api(suite, 'POST', `/v1/verifications/${v.id}/check`, { body: { code: wrong } });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      status: 'pending',
      attemptsLeft: 4,
      cause: { code: 'CODE_MISMATCH', detail: 'wrong code, 4 attempts left' },
    });
    const right = await api(suite, 'POST', `/v1/verifications/${v.id}/check`, { body: { code } });
    expect(right.body.status).toBe('approved');
  });

  it('burns the verification after 5 wrong codes; even the right code is then refused', async () => {
    const v = await start('bob');
    const code = await readCode(suite, subscribers.bob.address, 2);
    const wrong = code === '111111' ? '111112' : '111111';
    const answers = [];
    for (let i = 0; i < 5; i++) {
      answers.push(await api(suite, 'POST', `/v1/verifications/${v.id}/check`, { body: { code: wrong } }));
    }
    expect(answers.map((a) => a.body.attemptsLeft)).toEqual([4, 3, 2, 1, 0]);
    expect(answers[4]?.body).toMatchObject({ status: 'max_attempts_reached', cause: { code: 'TOO_MANY_ATTEMPTS' } });
    const after = await api(suite, 'POST', `/v1/verifications/${v.id}/check`, { body: { code } });
    expect(after.status).toBe(409);
    expect(after.contentType).toContain('application/problem+json');
    expect(after.body.code).toBe('TOO_MANY_ATTEMPTS');
  });

  it('accepts a code once: a second use is refused as ALREADY_USED', async () => {
    const v = await start('alice');
    const code = await readCode(suite, subscribers.alice.address, 3);
    expect((await api(suite, 'POST', `/v1/verifications/${v.id}/check`, { body: { code } })).body.status).toBe('approved');
    const again = await api(suite, 'POST', `/v1/verifications/${v.id}/check`, { body: { code } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('ALREADY_USED');
  });

  it('approves only one of two concurrent checks of the same code', async () => {
    const v = await start('bob');
    const code = await readCode(suite, subscribers.bob.address, 3);
    const both = await Promise.all([1, 2].map(() => api(suite, 'POST', `/v1/verifications/${v.id}/check`, { body: { code } })));
    expect(both.map((b) => (b.status === 200 ? b.body.status : b.body.code)).sort()).toEqual(['ALREADY_USED', 'approved']);
  });

  it('refuses the code of another verification (codes are bound to their verification)', async () => {
    const a = await start('alice');
    const codeA = await readCode(suite, subscribers.alice.address, 4);
    const b = await start('bob');
    await readCode(suite, subscribers.bob.address, 4);
    const crossed = await api(suite, 'POST', `/v1/verifications/${b.id}/check`, { body: { code: codeA } });
    // A collision of two random 6-digit codes is possible but rare (1e-6).
    expect(crossed.body.status).toBe('pending');
    expect((await api(suite, 'POST', `/v1/verifications/${a.id}/check`, { body: { code: codeA } })).body.status).toBe('approved');
  });

  it('keeps one open verification per merchant and subscriber: a new one cancels the old', async () => {
    const first = await start('alice');
    const firstCode = await readCode(suite, subscribers.alice.address, 5);
    const second = await start('alice');
    const secondCode = await readCode(suite, subscribers.alice.address, 6);
    expect((await api(suite, 'GET', `/v1/verifications/${first.id}`)).body.status).toBe('canceled');
    expect((await api(suite, 'POST', `/v1/verifications/${first.id}/check`, { body: { code: firstCode } })).body.code).toBe('CANCELED');
    expect((await api(suite, 'POST', `/v1/verifications/${second.id}/check`, { body: { code: secondCode } })).body.status).toBe('approved');
  });

  it('cancels a pending verification; its code is then refused as CANCELED', async () => {
    const v = await start('alice');
    const code = await readCode(suite, subscribers.alice.address, 7);
    const canceled = await api(suite, 'POST', `/v1/verifications/${v.id}/cancel`);
    expect(canceled.body.status).toBe('canceled');
    const check = await api(suite, 'POST', `/v1/verifications/${v.id}/check`, { body: { code } });
    expect(check.body.code).toBe('CANCELED');
  });

  it('sends nothing to a suspended subscriber (the answer is a decoy: no-enumeration.int.test.ts)', async () => {
    const suspended = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'carol' } });
    expect(suspended.status).toBe(201);
    // A later code to another handset has arrived: a code to carol would have too.
    await laterMessage(suite, subscribers.pagerAlpha.address, subscribers.pagerAlpha.identifier);
    const inbox = (await (
      await fetch(`http://127.0.0.1:${suite.sim.httpPort}/inbox/${encodeURIComponent(subscribers.carol.address)}`)
    ).json()) as { messages: unknown[] };
    expect(inbox.messages).toHaveLength(0);
  });

  it('shapes the message for a numeric pager: digits only', async () => {
    await start('pager-7');
    const [message] = await waitForInbox(suite, subscribers.pager.address);
    expect(message?.text).toMatch(/^\d{6}$/);
  });

  it('keeps one open verification when the same subscriber starts several at once', async () => {
    const started = await Promise.all(Array.from({ length: 8 }, () => start('bob')));
    // A wrong code: the open one counts it (still pending), the canceled ones refuse it.
    const answers = await Promise.all(
      started.map((v) => api(suite, 'POST', `/v1/verifications/${v.id}/check`, { body: { code: '000000' } })),
    );
    expect(answers.map((a) => String(a.body.code ?? a.body.status)).sort()).toEqual(
      ['pending', ...Array<string>(7).fill('CANCELED')].sort(),
    );
  });
});
