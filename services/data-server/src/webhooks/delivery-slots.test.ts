import { DeliverySlots } from './delivery-slots';

/** A delivery that ends when the test says so. */
function held() {
  let end = () => undefined as void;
  const done = new Promise<void>((r) => (end = r));
  return { work: () => done, end };
}

describe('DeliverySlots', () => {
  it('bounds each merchant and the total, and frees a slot when its delivery settles', async () => {
    const slots = new DeliverySlots({ total: 3, perMerchant: 2 });
    const a1 = held();
    const a2 = held();
    slots.start('a', a1.work);
    slots.start('a', a2.work);
    expect(slots.freeFor('a')).toBe(0);
    expect(slots.saturated()).toEqual(['a']);
    // Merchant a's slow deliveries leave b its own slot.
    expect(slots.freeFor('b')).toBe(1);
    const b1 = held();
    slots.start('b', b1.work);
    expect(slots.free()).toBe(0);
    expect(slots.freeFor('c')).toBe(0);
    a1.end();
    b1.end();
    await new Promise((r) => setImmediate(r));
    expect(slots.free()).toBe(2);
    expect(slots.freeFor('a')).toBe(1);
    expect(slots.saturated()).toEqual([]);
    let idle = false;
    const waiting = slots.idle().then(() => (idle = true));
    await new Promise((r) => setImmediate(r));
    expect(idle).toBe(false);
    a2.end();
    await waiting;
    expect(slots.free()).toBe(3);
  });
});
