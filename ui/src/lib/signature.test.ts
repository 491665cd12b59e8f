import { describe, expect, it } from 'vitest';
import { boxPoint, extend, inkLength, MIN_INK, signatureOf, type Stroke } from './signature';

describe('boxPoint', () => {
  it('rounds and keeps the point inside the box', () => {
    expect(boxPoint(10.4, 20.6, 300, 100)).toEqual([10, 21]);
    expect(boxPoint(-5, 140, 300, 100)).toEqual([0, 100]);
    expect(boxPoint(300.7, 0, 300.5, 100)).toEqual([300, 0]);
  });
});

describe('extend', () => {
  it('skips a point where the pen already is', () => {
    const s: Stroke = [];
    expect(extend(s, [1, 1])).toBe(true);
    expect(extend(s, [1, 1])).toBe(false);
    expect(extend(s, [2, 1])).toBe(true);
    expect(s).toEqual([[1, 1], [2, 1]]);
  });
});

describe('signatureOf', () => {
  it('measures the ink of every stroke', () => {
    expect(inkLength([[[0, 0], [3, 4]], [[10, 10], [10, 20]]])).toBe(15);
  });
  it('is nothing until there is a real line', () => {
    expect(signatureOf([[[0, 0]]], 300, 100)).toBeNull();
    expect(signatureOf([[[0, 0], [MIN_INK - 1, 0]]], 300, 100)).toBeNull();
    expect(signatureOf([[[0, 0], [MIN_INK, 0]]], 0, 100)).toBeNull();
  });
  it('sends whole numbers in a whole-pixel box', () => {
    expect(signatureOf([[[0, 0], [50, 0]], []], 320.6, 180.2)).toEqual({ width: 320, height: 180, strokes: [[[0, 0], [50, 0]]] });
  });
});
