import { describe, expect, it } from 'vitest';
import { chooseLayout, countdownWidthEm, tileFonts } from './monitorLayout';
import { layoutSections, tileDetail, wallSections, wallSpacing, type SectionBox, type WallLayout } from './wallGroups';

const timer = (id: string, booking_id: string | null = null, group: string | null = null) => ({ id, booking_id, group });

describe('wallSections', () => {
  it('puts the walk-ins first and each party together, in the wall’s order', () => {
    const sections = wallSections([
      timer('a'),
      timer('s1', 'b1', 'Fiesta de Sofía'),
      timer('b'),
      timer('m1', 'b2', 'Fiesta de Mateo'),
      timer('s2', 'b1', 'Fiesta de Sofía'),
    ]);
    expect(sections.map((s) => [s.title, s.timers.map((t) => t.id)])).toEqual([
      [null, ['a', 'b']],
      ['Fiesta de Sofía', ['s1', 's2']],
      ['Fiesta de Mateo', ['m1']],
    ]);
  });

  it('keeps two parties of the same name apart by their booking', () => {
    const sections = wallSections([timer('x', 'b1', 'Fiesta de Sofía'), timer('y', 'b2', 'Fiesta de Sofía')]);
    expect(sections.map((s) => s.key)).toEqual(['b1', 'b2']);
  });

  it('names a party without a group name as told, and groups by name when there is no booking', () => {
    const sections = wallSections([timer('x', 'b1', null), timer('y', null, 'Fiesta de Ana'), timer('z', null, 'Fiesta de Ana')], 'Fiesta');
    expect(sections.map((s) => [s.title, s.timers.length])).toEqual([['Fiesta', 1], ['Fiesta de Ana', 2]]);
  });

  it('has no section for an empty wall, and one without a header when nobody is at a party', () => {
    expect(wallSections([])).toEqual([]);
    expect(wallSections([timer('a'), timer('b')])).toEqual([{ key: null, title: null, timers: [timer('a'), timer('b')] }]);
  });
});

describe('tileDetail', () => {
  it('leaves out the party’s name the header already shows', () => {
    expect(tileDetail('Fiesta de Sofía · Salón Arcoíris', 'Fiesta de Sofía')).toBe('Salón Arcoíris');
    expect(tileDetail('Fiesta de Sofía', 'Fiesta de Sofía')).toBe('Fiesta de Sofía');
  });

  it('keeps a walk-in’s service, or a line that does not start with the party’s name', () => {
    expect(tileDetail('1 hora de juego', null)).toBe('1 hora de juego');
    expect(tileDetail('Paquete cumpleaños', 'Fiesta de Ana')).toBe('Paquete cumpleaños');
  });
});

// The wall under its 64 px header on a 1920×1080 screen.
const W = 1920;
const H = 1080 - 64;

function expectFits(layout: WallLayout, counts: number[], label: string) {
  const { boxes, tileWidth, tileHeight, gap, inset } = layout;
  boxes.forEach((b, i) => {
    expect(b.cols * b.rows, `${label}: section ${i} has a cell per child`).toBeGreaterThanOrEqual(counts[i]!);
    expect(b.x, label).toBeGreaterThanOrEqual(0);
    expect(b.y, label).toBeGreaterThanOrEqual(0);
    expect(b.x + b.width, `${label}: section ${i} inside the wall’s width`).toBeLessThanOrEqual(W + 0.01);
    expect(b.y + b.height, `${label}: section ${i} inside the wall’s height`).toBeLessThanOrEqual(H + 0.01);
    // Its tiles fit inside it.
    expect(2 * inset + b.cols * tileWidth + (b.cols - 1) * gap, label).toBeLessThanOrEqual(b.width + 0.01);
    expect(2 * inset + b.header + b.rows * tileHeight + (b.rows - 1) * gap, label).toBeLessThanOrEqual(b.height + 0.01);
  });
  const overlaps = (a: SectionBox, b: SectionBox) =>
    Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x) > 0.01 && Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y) > 0.01;
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) expect(overlaps(boxes[i]!, boxes[j]!), `${label}: sections ${i} and ${j} overlap`).toBe(false);
  }
}

/** The wall's type sizes for the layout, sized for the widest countdown ("1:59:59"). */
const fontsOf = (l: WallLayout) => tileFonts(l.tileWidth, l.tileHeight, countdownWidthEm('0:00:00', 'sans-serif'));

describe('layoutSections', () => {
  it('is the plain grid when nobody is at a party', () => {
    for (const n of [1, 7, 24, 60]) {
      const grid = chooseLayout(n, W, H);
      const layout = layoutSections([n], [false], W, H);
      expect([layout.tileWidth, layout.tileHeight, layout.boxes[0]!.cols, layout.boxes[0]!.rows]).toEqual([grid.tileWidth, grid.tileHeight, grid.cols, grid.rows]);
    }
  });

  it.each([
    [[10], [true]],
    [[3, 10], [false, true]],
    [[10, 20], [false, true]],
    [[5, 10, 10], [false, true, true]],
    [[2, 3, 2, 4], [false, true, true, true]],
    [[20], [true]],
  ])('fits sections of %j children on a 1920×1080 wall, readable from 5 m', (counts, headed) => {
    const layout = layoutSections(counts, headed, W, H);
    expectFits(layout, counts, JSON.stringify(counts));
    const total = counts.reduce((a, b) => a + b, 0);
    const fonts = fontsOf(layout);
    expect(fonts.countdown, `${total} tiles: the countdown reads from across the room`).toBeGreaterThanOrEqual(total <= 13 ? 64 : 44);
    expect(fonts.name, `${total} tiles: the name reads from across the room`).toBeGreaterThanOrEqual(total <= 13 ? 32 : 22);
    // The headers and frames cost the tiles little: at least 75 % of the plain grid’s size, even with four groups.
    const plain = chooseLayout(total, W, H);
    const size = (w: number, h: number) => Math.min(w / 1.6, h);
    expect(size(layout.tileWidth, layout.tileHeight)).toBeGreaterThanOrEqual(0.75 * size(plain.tileWidth, plain.tileHeight));
  });

  it('sets small parties side by side rather than a band each', () => {
    const layout = layoutSections([2, 2, 2, 2, 2, 2], [false, true, true, true, true, true], W, H);
    expect(new Set(layout.boxes.map((b) => b.y)).size).toBeLessThan(6);
  });

  it('fits any mix of up to 60 children in up to three parties', () => {
    for (let walkIns = 0; walkIns <= 20; walkIns += 4) {
      for (const parties of [[1], [10], [20], [10, 10], [6, 12, 15], [25, 15]]) {
        const counts = walkIns ? [walkIns, ...parties] : parties;
        const headed = walkIns ? [false, ...parties.map(() => true)] : parties.map(() => true);
        const layout = layoutSections(counts, headed, W, H);
        expectFits(layout, counts, JSON.stringify(counts));
        expect(fontsOf(layout).countdown, JSON.stringify(counts)).toBeGreaterThanOrEqual(30);
      }
    }
  });

  it('scales the header strip with the screen', () => {
    expect(wallSpacing(1016).header).toBe(61);
    expect(wallSpacing(600).header).toBe(44);
    expect(wallSpacing(2100).header).toBe(72);
  });
});
