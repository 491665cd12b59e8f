import type { Product } from '../api/types';

// The cart is a value, not a store: pure functions keep the totals testable and let both
// the kidibar and reception's product sale share it.

export interface CartLine {
  product: Product;
  quantity: number;
}

export type Cart = readonly CartLine[];

export function cartTotal(cart: Cart): number {
  return cart.reduce((sum, line) => sum + line.product.price_cents * line.quantity, 0);
}

export function cartCount(cart: Cart): number {
  return cart.reduce((sum, line) => sum + line.quantity, 0);
}

export function quantityOf(cart: Cart, productId: string): number {
  return cart.find((line) => line.product.id === productId)?.quantity ?? 0;
}

/** Can one more unit go in the cart? A sale past the stock would be refused by the hub anyway;
 *  blocking it here spares the clerk a round trip. */
export function canAdd(cart: Cart, product: Product, allowNegative = false): boolean {
  if (!product.active) return false;
  return allowNegative || quantityOf(cart, product.id) < product.stock;
}

export function addToCart(cart: Cart, product: Product, allowNegative = false): Cart {
  if (!canAdd(cart, product, allowNegative)) return cart;
  const existing = cart.find((line) => line.product.id === product.id);
  if (!existing) return [...cart, { product, quantity: 1 }];
  return cart.map((line) => (line === existing ? { ...line, quantity: line.quantity + 1 } : line));
}

export function setQuantity(cart: Cart, productId: string, quantity: number): Cart {
  if (quantity <= 0) return cart.filter((line) => line.product.id !== productId);
  return cart.map((line) => (line.product.id === productId ? { ...line, quantity } : line));
}

/** Replace each line's product with a fresher copy (stock pushed by the live feed),
 *  trimming quantities that no longer fit. */
export function refreshProducts(cart: Cart, fresh: (id: string) => Product | undefined, allowNegative = false): Cart {
  return cart.flatMap((line) => {
    const product = fresh(line.product.id) ?? line.product;
    const quantity = allowNegative ? line.quantity : Math.min(line.quantity, Math.max(0, product.stock));
    return quantity > 0 && product.active ? [{ product, quantity }] : [];
  });
}
