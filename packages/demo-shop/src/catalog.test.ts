import { catalog, priceCart } from './catalog';

describe('priceCart', () => {
  it('adds up the lines at the catalog prices', () => {
    const mug = catalog.find((p) => p.id === 'mug')!;
    const grinder = catalog.find((p) => p.id === 'grinder')!;
    expect(
      priceCart([
        { id: 'mug', quantity: 2 },
        { id: 'grinder', quantity: 1 },
      ]),
    ).toEqual({
      items: [
        { name: mug.name, quantity: 2 },
        { name: grinder.name, quantity: 1 },
      ],
      amount: mug.price * 2 + grinder.price,
    });
  });

  it.each([[[]], [[{ id: 'nope', quantity: 1 }]], [[{ id: 'mug', quantity: 0 }]], [[{ id: 'mug', quantity: 1.5 }]], ['mug'], [null]])(
    'refuses %j',
    (cart) => {
      expect(priceCart(cart)).toBeUndefined();
    },
  );
});
