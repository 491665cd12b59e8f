import { describe, expect, it } from 'vitest';
import type { Product } from '../api/types';
import { addToCart, canAdd, cartCount, cartTotal, refreshProducts, setQuantity, type Cart } from './cart';

function product(id: string, price_cents: number, stock = 10): Product {
  return {
    id,
    name: id,
    category: 'Bebidas',
    description: '',
    price_cents,
    cost_cents: 0,
    stock,
    low_stock_threshold: 2,
    barcode: null,
    image_url: null,
    active: true,
    low_stock: false,
    created_at: '2026-11-22T18:00:00Z',
    updated_at: '2026-11-22T18:00:00Z',
  };
}

describe('cart', () => {
  const juice = product('juice', 2550, 3);
  const chips = product('chips', 1800);

  it('sums lines exactly in centavos', () => {
    let cart: Cart = [];
    cart = addToCart(cart, juice);
    cart = addToCart(cart, juice);
    cart = addToCart(cart, chips);
    expect(cartTotal(cart)).toBe(2 * 2550 + 1800);
    expect(cartCount(cart)).toBe(3);
  });

  it('never adds past the stock', () => {
    let cart: Cart = [];
    for (let i = 0; i < 5; i++) cart = addToCart(cart, juice);
    expect(cartCount(cart)).toBe(3);
    expect(canAdd(cart, juice)).toBe(false);
    expect(canAdd(cart, juice, true)).toBe(true);
  });

  it('blocks out-of-stock and inactive products', () => {
    expect(canAdd([], product('gone', 100, 0))).toBe(false);
    expect(canAdd([], { ...chips, active: false })).toBe(false);
  });

  it('removes a line set to zero', () => {
    const cart = setQuantity(addToCart([], chips), 'chips', 0);
    expect(cart).toEqual([]);
  });

  it('trims quantities when fresh stock is lower', () => {
    const cart = setQuantity(addToCart([], chips), 'chips', 5);
    const trimmed = refreshProducts(cart, () => ({ ...chips, stock: 2 }));
    expect(trimmed[0]?.quantity).toBe(2);
    expect(refreshProducts(cart, () => ({ ...chips, stock: 0 }))).toEqual([]);
  });
});
