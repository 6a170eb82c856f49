import { openDatabase, type Knex } from '@outband/db';
import { api, eventually, waitForInbox } from '../support/http';
import { loginMessageFor } from '../support/message-send';
import { receivedBeforeNext } from '../support/signals';
import { startSuite, subscribers, type Suite } from '../support/suite';

/** The `message.send` outbox: a certificate and its message are committed together. */
let suite: Suite;
let db: Knex;
beforeAll(async () => {
  suite = await startSuite({ env: { OUTBOX_POLL_MS: '100' } });
  db = openDatabase(suite.databaseUrl, { min: 0, max: 2 });
});
afterAll(async () => {
  await db?.destroy();
  await suite?.stop();
});
beforeEach(() => suite.sim.inbox.clear());

const outboxRows = () => db('message_outbox').count<Array<{ n: number }>>({ n: '*' }).first();

async function relayed(outcome: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${suite.data.opsPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('outband_outbox_relayed_total{') && l.includes(`outcome="${outcome}"`));
  return Number(line?.split(' ')[1] ?? 0);
}

/** What a data server that died right after its commit leaves: a certificate and its staged message. */
async function stageUnpublished(verificationId: string, code: string, expiresAt: Date): Promise<string> {
  const now = new Date();
  const { messageId, body, certificate } = loginMessageFor(suite, verificationId, code, now);
  await db.transaction(async (trx) => {
    await trx('certificates').insert(certificate);
    await trx('message_outbox').insert({
      message_id: messageId,
      body: JSON.stringify(body),
      expires_at: expiresAt,
      next_attempt_at: new Date(now.getTime() - 1000),
      attempts: 0,
    });
  });
  return messageId;
}

describe('the message.send outbox', () => {
  it('publishes a code with its certificate, then leaves nothing staged', async () => {
    const started = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice' } });
    expect(started.status).toBe(201);
    await waitForInbox(suite, subscribers.alice.address, 1);
    const certificate = await db('certificates')
      .where({ verification_id: String(started.body.id) })
      .first<{ id: string }>('id');
    expect(certificate).toBeDefined();
    await eventually(async () => ((await outboxRows())?.n === 0 ? true : undefined));
    expect(await relayed('published')).toBe(0);
  });

  it('sends a message committed but never published (a crash after the commit), once, with what is left of its lifetime', async () => {
    const started = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice' } });
    await waitForInbox(suite, subscribers.alice.address, 1);
    // Two minutes left: the text counts from the commit, not from the relay.
    const messageId = await stageUnpublished(String(started.body.id), '424242', new Date(Date.now() + 120_000));
    const inbox = await waitForInbox(suite, subscribers.alice.address, 2);
    expect(inbox[1]?.text).toContain('424242');
    expect(inbox[1]?.text).toMatch(/2 min/);
    await eventually(async () => {
      const row = await db('certificates').where({ id: messageId }).first<{ delivery_state: string }>('delivery_state');
      return row && row.delivery_state !== 'queued' ? row : undefined;
    });
    await eventually(async () => ((await outboxRows())?.n === 0 ? true : undefined));
    expect(await relayed('published')).toBe(1);
    // Nothing more comes: the relay removed what it sent. A later SMS arrives after any repeat.
    expect(await receivedBeforeNext(suite, 'alice', subscribers.alice.address)).toHaveLength(2);
    expect(await relayed('published')).toBe(1);
  });

  it('drops a staged message whose code has expired instead of sending it', async () => {
    const started = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice' } });
    await waitForInbox(suite, subscribers.alice.address, 1);
    const publishedBefore = await relayed('published');
    await stageUnpublished(String(started.body.id), '515151', new Date(Date.now() - 1000));
    await eventually(async () => ((await relayed('expired')) === 1 ? true : undefined));
    expect(await outboxRows()).toEqual({ n: 0 });
    // A later SMS arrives after the dropped one, had it been sent.
    expect(await receivedBeforeNext(suite, 'alice', subscribers.alice.address)).toHaveLength(1);
    expect(await relayed('published')).toBe(publishedBefore);
  });
});
