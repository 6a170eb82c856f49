/** What the demo shop sells; prices in cents (EUR). */
export interface Product {
  id: string;
  name: string;
  price: number;
}

export const catalog: readonly Product[] = [
  { id: 'coffee', name: 'Coffee beans 1 kg', price: 1_850 },
  { id: 'mug', name: 'Enamel mug', price: 900 },
  { id: 'grinder', name: 'Hand grinder', price: 6_400 },
  { id: 'kettle', name: 'Pour-over kettle', price: 4_200 },
];

export interface CartLine {
  id: string;
  quantity: number;
}

/** The order's lines and total from a cart; unknown products and silly quantities are refused. */
export function priceCart(cart: unknown): { items: Array<{ name: string; quantity: number }>; amount: number } | undefined {
  if (!Array.isArray(cart) || cart.length === 0 || cart.length > 20) {
    return undefined;
  }
  const items: Array<{ name: string; quantity: number }> = [];
  let amount = 0;
  for (const line of cart as Array<Partial<CartLine>>) {
    const product = catalog.find((p) => p.id === line?.id);
    const quantity = line?.quantity;
    if (!product || typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1 || quantity > 99) {
      return undefined;
    }
    items.push({ name: product.name, quantity });
    amount += product.price * quantity;
  }
  return { items, amount };
}
