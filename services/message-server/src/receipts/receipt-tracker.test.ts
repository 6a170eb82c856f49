import { createLogger } from '@outband/observability';
import type { SubmitRepository, SubmitRow } from './submit.repository';
import type { Receipt } from '../smpp/receipt';
import { ReceiptTracker } from './receipt-tracker';
import type { PublishStatus } from './status-publisher';

const logger = createLogger({ service: 'test', level: 'silent' });
const receipt: Receipt = { smscMessageId: 'ab12', state: 'delivered', stat: 'DELIVRD', error: undefined };
const row: SubmitRow = {
  id: 1,
  messageId: 'm-1',
  verificationId: 've_1',
  attempt: 1,
  routeId: 'main',
  part: 1,
  parts: 1,
  smscMessageId: 'ab12',
  state: 'submitted',
  submittedAt: new Date(),
};

/** Submits stored in memory: `lookups` answers each findBySmscId in turn, then the last one. */
function setup(lookups: Array<SubmitRow | undefined>, holdMs = 10_000) {
  const published: Array<Parameters<PublishStatus>[0]> = [];
  let failApply = false;
  const submits = {
    findBySmscId: () => Promise.resolve(lookups.length > 1 ? lookups.shift() : lookups[0]),
    applyReceipt: (r: SubmitRow, state: 'delivered') => {
      if (failApply) {
        return Promise.reject(new Error('database down'));
      }
      return Promise.resolve({ number: r.attempt, route: r.routeId, smscMessageIds: ['ab12'], state });
    },
  } as unknown as SubmitRepository;
  const publish: PublishStatus = (s) => {
    published.push(s);
    return Promise.resolve();
  };
  const tracker = new ReceiptTracker(submits, publish, logger, holdMs);
  return { tracker, published, lookups, failApply: () => (failApply = true) };
}

const settled = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setTimeout(r, 10));
  return done;
};

describe('ReceiptTracker', () => {
  it('applies a receipt whose submit is stored at once', async () => {
    const { tracker, published } = setup([row]);
    await tracker.onReceipt('smsc', receipt);
    expect(published.map((p) => p.state)).toEqual(['delivered']);
  });

  it('holds a receipt that came before its submit was stored, and its answer to the SMSC with it', async () => {
    const t = setup([undefined]);
    const answer = t.tracker.onReceipt('smsc', receipt);
    expect(await settled(answer)).toBe(false);
    expect(t.published).toEqual([]);
    t.lookups.splice(0, 1, row); // the submit is stored now
    await t.tracker.afterSubmit('smsc', ['ab12']);
    await answer;
    expect(t.published.map((p) => p.state)).toEqual(['delivered']);
  });

  it('finds a submit stored between its first lookup and the hold, without waiting for afterSubmit', async () => {
    const t = setup([undefined, row]);
    await t.tracker.onReceipt('smsc', receipt);
    expect(t.published.map((p) => p.state)).toEqual(['delivered']);
    await t.tracker.afterSubmit('smsc', ['ab12']);
    expect(t.published).toHaveLength(1);
  });

  it('drops a receipt naming no message after the hold, answering the SMSC', async () => {
    const t = setup([undefined], 20);
    await t.tracker.onReceipt('smsc', receipt);
    expect(t.published).toEqual([]);
  });

  it('fails the held receipt when applying it fails, so the SMSC sends it again', async () => {
    const t = setup([undefined]);
    const answer = t.tracker.onReceipt('smsc', receipt);
    await settled(answer);
    t.lookups.splice(0, 1, row);
    t.failApply();
    await t.tracker.afterSubmit('smsc', ['ab12']);
    await expect(answer).rejects.toThrow('database down');
  });
});
