import { describe, expect, it } from 'vitest';
import { heatHours, heatLevel } from './heatmap';

const week = (cells: [number, number, number][]) => {
  const rows = Array.from({ length: 7 }, () => Array<number>(24).fill(0));
  for (const [d, h, v] of cells) rows[d]![h] = v;
  return rows;
};

describe('heatHours', () => {
  it('shows nothing for a period without sales', () => {
    expect(heatHours(week([]))).toEqual([]);
  });
  it('widens a single busy hour to the usual opening day', () => {
    expect(heatHours(week([[5, 16, 3]]))).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
  });
  it('reaches early and late sales on any day', () => {
    const hours = heatHours(week([[0, 8, 1], [6, 22, 2]]));
    expect(hours[0]).toBe(8);
    expect(hours[hours.length - 1]).toBe(22);
  });
});

describe('heatLevel', () => {
  it('shades against the busiest cell', () => {
    expect(heatLevel(0, 10)).toBe(0);
    expect(heatLevel(1, 10)).toBe(1);
    expect(heatLevel(10, 10)).toBe(4);
  });
});
