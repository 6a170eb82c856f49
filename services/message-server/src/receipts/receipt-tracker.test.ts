import { createLogger } from '@outband/observability';
import type { SubmitRepository, SubmitRow } from './submit.repository';
import type { Receipt } from '../smpp/receipt';
import { ReceiptTracker } from './receipt-tracker';
import type { PublishStatus } from './status-publisher';
import type { ReceiptTrackerOptions } from './receipt-tracker';

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
function setup(lookups: Array<SubmitRow | undefined>, options: ReceiptTrackerOptions = {}) {
  const published: Array<Parameters<PublishStatus>[0]> = [];
  let failApply = false;
  let found = 0;
  const waiting: Array<{ n: number; done: () => void }> = [];
  const submits = {
    findBySmscId: () => {
      found += 1;
      const answer = Promise.resolve(lookups.length > 1 ? lookups.shift() : lookups[0]);
      // Told once the tracker has had this answer (a turn later): a hold starts after its second.
      setImmediate(() => waiting.filter((w) => w.n <= found).forEach((w) => w.done()));
      return answer;
    },
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
  const givenUp: string[] = [];
  const tracker = new ReceiptTracker(submits, publish, logger, {
    onGivenUp: (c, outcome) => givenUp.push(`${c} ${outcome}`),
    ...options,
  });
  /** Resolves once the tracker has looked the submit up `n` times in all and had the answers. */
  const lookedUp = (n: number) => new Promise<void>((done) => (found >= n ? setImmediate(done) : waiting.push({ n, done })));
  return { tracker, published, lookups, givenUp, lookedUp, lookupCount: () => found, failApply: () => (failApply = true) };
}

/**
 * Whether `answer` has settled once the tracker has held its receipt: looked its submit up at
 * once and again right after holding (`lookups` in all), both finding nothing.
 */
async function settledOnceHeld(t: ReturnType<typeof setup>, answer: Promise<unknown>, lookups = 2): Promise<boolean> {
  let done = false;
  void answer.then(
    () => (done = true),
    () => (done = true),
  );
  await t.lookedUp(lookups);
  return done;
}

describe('ReceiptTracker', () => {
  it('applies a receipt whose submit is stored at once', async () => {
    const { tracker, published } = setup([row]);
    await tracker.onReceipt('smsc', receipt);
    expect(published.map((p) => p.state)).toEqual(['delivered']);
  });

  it('holds a receipt that came before its submit was stored, and its answer to the SMSC with it', async () => {
    const t = setup([undefined]);
    const answer = t.tracker.onReceipt('smsc', receipt);
    expect(await settledOnceHeld(t, answer)).toBe(false);
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

  it('finds a submit another server stores, looking it up again without afterSubmit', async () => {
    const t = setup([undefined, undefined, undefined, undefined, row], { firstLookupMs: 1 });
    await t.tracker.onReceipt('smsc', receipt);
    expect(t.published.map((p) => p.state)).toEqual(['delivered']);
    expect(t.lookupCount()).toBe(5);
  });

  it('looks up less and less often, within the hold', async () => {
    const t = setup([undefined], { holdMs: 300, firstLookupMs: 10, maxLookupMs: 80 });
    await expect(t.tracker.onReceipt('smsc', receipt)).rejects.toThrow();
    // The first lookup and the one right after holding, then at 10, 30, 70, 150, 230 and 300 ms
    // (fewer when timers run late); a fixed 10 ms pause would have made 30.
    expect(t.lookupCount()).toBeGreaterThanOrEqual(4);
    expect(t.lookupCount()).toBeLessThanOrEqual(8);
  });

  it('gives up a receipt naming no message after the hold, answering the SMSC an error so it sends it again', async () => {
    const t = setup([undefined], { holdMs: 20, firstLookupMs: 5 });
    await expect(t.tracker.onReceipt('smsc', receipt)).rejects.toMatchObject({ code: 'RECEIPT_SUBMIT_UNKNOWN' });
    expect(t.published).toEqual([]);
    expect(t.givenUp).toEqual(['smsc resend']);
  });

  it('acknowledges a receipt given up the third time, as it would never match', async () => {
    const t = setup([undefined], { holdMs: 20, firstLookupMs: 5 });
    await expect(t.tracker.onReceipt('smsc', receipt)).rejects.toMatchObject({ code: 'RECEIPT_SUBMIT_UNKNOWN' });
    await expect(t.tracker.onReceipt('smsc', receipt)).rejects.toMatchObject({ code: 'RECEIPT_SUBMIT_UNKNOWN' });
    await expect(t.tracker.onReceipt('smsc', receipt)).resolves.toBeUndefined();
    expect(t.published).toEqual([]);
    expect(t.givenUp).toEqual(['smsc resend', 'smsc resend', 'smsc dropped']);
    // Counted per connection and SMSC id: another receipt starts again.
    await expect(t.tracker.onReceipt('other', receipt)).rejects.toMatchObject({ code: 'RECEIPT_SUBMIT_UNKNOWN' });
  });

  it('applies a resent receipt once its submit is stored, and counts its give-ups again from none', async () => {
    const t = setup([undefined], { holdMs: 20, firstLookupMs: 5 });
    await expect(t.tracker.onReceipt('smsc', receipt)).rejects.toMatchObject({ code: 'RECEIPT_SUBMIT_UNKNOWN' });
    await expect(t.tracker.onReceipt('smsc', receipt)).rejects.toMatchObject({ code: 'RECEIPT_SUBMIT_UNKNOWN' });
    t.lookups.splice(0, 1, row); // the submit is stored now
    await t.tracker.onReceipt('smsc', receipt);
    expect(t.published.map((p) => p.state)).toEqual(['delivered']);
    t.lookups.splice(0, 1, undefined);
    await expect(t.tracker.onReceipt('smsc', receipt)).rejects.toMatchObject({ code: 'RECEIPT_SUBMIT_UNKNOWN' });
    expect(t.givenUp).toEqual(['smsc resend', 'smsc resend', 'smsc resend']);
  });

  it('forgets give-ups an hour old', async () => {
    const realNow = Date.now.bind(Date);
    let later = 0;
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + later);
    try {
      const t = setup([undefined], { holdMs: 20, firstLookupMs: 5 });
      await expect(t.tracker.onReceipt('smsc', receipt)).rejects.toMatchObject({ code: 'RECEIPT_SUBMIT_UNKNOWN' });
      await expect(t.tracker.onReceipt('smsc', receipt)).rejects.toMatchObject({ code: 'RECEIPT_SUBMIT_UNKNOWN' });
      later = 3_600_000;
      await expect(t.tracker.onReceipt('smsc', receipt)).rejects.toMatchObject({ code: 'RECEIPT_SUBMIT_UNKNOWN' });
      expect(t.givenUp).toEqual(['smsc resend', 'smsc resend', 'smsc resend']);
    } finally {
      clock.mockRestore();
    }
  });

  it('gives up the receipts it holds when it stops', async () => {
    const t = setup([undefined]);
    const answer = t.tracker.onReceipt('smsc', receipt);
    await settledOnceHeld(t, answer);
    t.tracker.stop();
    await expect(answer).rejects.toMatchObject({ code: 'RECEIPT_NOT_APPLIED' });
    expect(t.givenUp).toEqual([]);
  });

  it('answers an earlier copy of a held receipt when its repeat arrives, and holds the repeat', async () => {
    const t = setup([undefined]);
    const first = t.tracker.onReceipt('smsc', receipt);
    await settledOnceHeld(t, first);
    const repeat = t.tracker.onReceipt('smsc', receipt);
    await first;
    expect(await settledOnceHeld(t, repeat, 4)).toBe(false);
    t.lookups.splice(0, 1, row);
    await t.tracker.afterSubmit('smsc', ['ab12']);
    await repeat;
    expect(t.published.map((p) => p.state)).toEqual(['delivered']);
  });

  it('fails the held receipt when applying it fails, so the SMSC sends it again', async () => {
    const t = setup([undefined]);
    const answer = t.tracker.onReceipt('smsc', receipt);
    await settledOnceHeld(t, answer);
    t.lookups.splice(0, 1, row);
    t.failApply();
    await t.tracker.afterSubmit('smsc', ['ab12']);
    await expect(answer).rejects.toThrow('database down');
  });
});
