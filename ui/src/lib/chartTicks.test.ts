import { describe, expect, it } from 'vitest';
import { labelStep, labelWidthPx, shownLabels } from './chartTicks';

describe('labelStep', () => {
  const date = labelWidthPx('11-06', 13);

  it('draws every label when there is room', () => {
    expect(labelStep(12, 1200, labelWidthPx('20h', 13))).toBe(1);
    expect(labelStep(7, 600, date)).toBe(1);
  });

  it('thins thirty dates to what fits at the width the chart has', () => {
    // The 30-day revenue chart across a 1366 px admin screen, and in a half-width card.
    const wide = labelStep(30, 1300, date);
    const narrow = labelStep(30, 620, date);
    expect(wide).toBeGreaterThan(1);
    expect(narrow).toBeGreaterThan(wide);
    for (const [step, width] of [[wide, 1300], [narrow, 620]] as const) {
      // Label centres are step slots apart; that distance must hold a label and the gap.
      expect((width / 30) * step).toBeGreaterThanOrEqual(date + 8);
    }
  });

  it('never asks for a step beyond the count, and copes with nothing', () => {
    expect(labelStep(30, 10, date)).toBe(30);
    expect(labelStep(0, 500, date)).toBe(1);
    expect(labelStep(5, 0, date)).toBe(1);
  });
});

describe('shownLabels', () => {
  it('keeps the first and every step-th after it', () => {
    expect([...shownLabels(7, 3)]).toEqual([0, 3, 6]);
    expect([...shownLabels(3, 1)]).toEqual([0, 1, 2]);
    expect([...shownLabels(0, 2)]).toEqual([]);
  });
});
