import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { errorField, errorMessage, fieldMatches } from './errors';

describe('errors', () => {
  it('shows the hub’s own message and names its field', () => {
    const err = new ApiError(409, 'insufficient_stock', 'Solo quedan 2 de «Jugo de manzana»', 'items[0].quantity');
    expect(errorMessage(err)).toBe('Solo quedan 2 de «Jugo de manzana»');
    expect(errorField(err)).toBe('items[0].quantity');
  });

  it('explains an unreachable hub in our words', () => {
    expect(errorMessage(new ApiError(0, 'network', 'TypeError: Failed to fetch'))).toMatch(/servidor/);
  });

  it.each([
    ['name', 'name', true],
    ['items[0].child.name', 'child.name', true],
    ['items[0].child.guardian_phone', 'child.guardian_phone', true],
    ['payments[1].amount_cents', 'payments', true],
    ['price_cents', 'cost_cents', false],
    [null, 'name', false],
  ])('field %s belongs to input %s: %s', (blamed, input, expected) => {
    expect(fieldMatches(blamed, input)).toBe(expected);
  });
});
