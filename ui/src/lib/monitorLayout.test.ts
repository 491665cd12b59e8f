import { describe, expect, it } from 'vitest';
import { chooseLayout, countdownWidthEm, MIN_COUNTDOWN_PX, MIN_NAME_PX, nameFit, nameShape, readableTile, textRoom, textWidthEm, tileFonts, widestCountdown } from './monitorLayout';

const W = 1920;
const H = 1080;

describe('chooseLayout on a 1920×1080 wall', () => {
  it.each([
    [1, 1, 1],
    [2, 2, 1],
    [3, 2, 2],
    [4, 2, 2],
    [6, 3, 2],
  ])('%i timers → %i×%i', (n, cols, rows) => {
    const layout = chooseLayout(n, W, H);
    expect([layout.cols, layout.rows]).toEqual([cols, rows]);
  });

  it('fits every count from 1 to 60 on screen with room for all tiles', () => {
    for (let n = 1; n <= 60; n++) {
      const layout = chooseLayout(n, W, H);
      expect(layout.cols * layout.rows, `${n} timers need enough cells`).toBeGreaterThanOrEqual(n);
      expect((layout.rows - 1) * layout.cols, `${n} timers leave no empty row`).toBeLessThan(n);
      expect(layout.tileWidth * layout.cols).toBeLessThanOrEqual(W);
      expect(layout.tileHeight * layout.rows).toBeLessThanOrEqual(H);
    }
  });

  it('keeps 60 timers large enough to read from across the room', () => {
    const layout = chooseLayout(60, W, H);
    const fonts = tileFonts(layout.tileWidth, layout.tileHeight, countdownWidthEm('00:00', 'sans-serif'));
    expect(fonts.countdown).toBeGreaterThanOrEqual(40);
  });

  it('never shrinks tiles as the count goes down', () => {
    let previous = Infinity;
    for (let n = 60; n >= 1; n--) {
      const { tileWidth, tileHeight } = chooseLayout(n, W, H);
      const size = Math.min(tileWidth / 1.6, tileHeight);
      expect(size).toBeGreaterThanOrEqual(previous === Infinity ? 0 : previous - 1);
      previous = size;
    }
  });

  it('uses a single column on a portrait screen for two timers', () => {
    expect(chooseLayout(2, 1080, 1920).cols).toBe(1);
  });

  it('sizes the countdown for the widest one shown, so hours and run-out timers still fit', () => {
    expect(widestCountdown(['45:00', '1:02:05', '-00:42'])).toBe('0:00:00');
    expect(widestCountdown(['45:00', '-1:02:05'])).toBe('-0:00:00');
    expect(widestCountdown([])).toBe('00:00');
    // Up to 20 a page: more children go on further pages (wallPages).
    for (const n of [1, 8, 12, 20]) {
      const { tileWidth, tileHeight } = chooseLayout(n, W, H);
      const short = tileFonts(tileWidth, tileHeight, countdownWidthEm('00:00', 'sans-serif'));
      const emLong = countdownWidthEm('-0:00:00', 'sans-serif');
      const long = tileFonts(tileWidth, tileHeight, emLong);
      expect(long.countdown).toBeLessThanOrEqual(short.countdown);
      // Inside the tile's padding.
      expect(long.countdown * emLong, `${n} timers`).toBeLessThanOrEqual(textRoom(tileWidth, tileHeight) + 0.5);
    }
  });
});

describe('a party of ten on the wall', () => {
  // The wall's grid under its 64 px header.
  const layout = chooseLayout(10, W, H - 64);

  it('gives ten children ten tiles of a readable size', () => {
    expect(layout.cols * layout.rows).toBeGreaterThanOrEqual(10);
    // Two hours of play count down as "1:59:59", the widest shape of the wall.
    const fonts = tileFonts(layout.tileWidth, layout.tileHeight, countdownWidthEm('0:00:00', 'sans-serif'));
    expect(fonts.countdown, 'the countdown reads from 5 m').toBeGreaterThanOrEqual(80);
    expect(fonts.name, 'the name reads from 5 m').toBeGreaterThanOrEqual(40);
  });

  it('keeps a short name at the wall’s size, shrinks a long full name only so far, then gives it two lines', () => {
    const base = tileFonts(layout.tileWidth, layout.tileHeight, 3).name;
    const room = textRoom(layout.tileWidth, layout.tileHeight);
    const measure = (text: string) => textWidthEm(text, 'sans-serif', 800);
    expect(nameFit(base, room, nameShape('Ana R.', measure))).toEqual({ size: base, lines: ['Ana R.'] });
    // About 9 em wide: smaller, on one line.
    const nine = { name: 'Valentina Hernández', oneEm: 9, lines: ['Valentina', 'Hernández'], twoEm: 4.6 };
    const shrunk = nameFit(base, room, nine);
    expect(shrunk.lines).toEqual(['Valentina Hernández']);
    expect(shrunk.size).toBeLessThan(base);
    expect(shrunk.size * 9).toBeLessThanOrEqual(room + 1);
    // Longer still: its best two lines, never below the floor.
    const long = nameShape('María Fernanda López García', measure);
    expect(long.lines).toEqual(['María Fernanda', 'López García']);
    const two = nameFit(base, room, { ...long, oneEm: 16 });
    expect(two.lines).toEqual(long.lines);
    expect(two.size * long.twoEm).toBeLessThanOrEqual(room + 1);
    expect(nameFit(MIN_NAME_PX, 200, long).size, 'never below the readable minimum').toBe(MIN_NAME_PX);
  });
});

describe('the readable minimum', () => {
  // "-1:02:05", a run-out timer over an hour, measured in Chromium's default sans-serif at 900.
  const em = 4.7;

  it('gives every readable tile a name of 40 px or more and a countdown of 64 px or more that fits across it', () => {
    for (let w = 300; w <= 1900; w += 7) {
      for (let h = 150; h <= 1000; h += 11) {
        if (!readableTile(w, h, em)) continue;
        const f = tileFonts(w, h, em);
        expect(f.name, `${w}×${h}`).toBeGreaterThanOrEqual(MIN_NAME_PX);
        expect(f.countdown, `${w}×${h}`).toBeGreaterThanOrEqual(MIN_COUNTDOWN_PX);
        expect(f.countdown * em, `${w}×${h}`).toBeLessThanOrEqual(textRoom(w, h) + 0.5);
        // Down the tile: a name of two lines, the countdown, the detail line and the padding.
        const used = 2 * 1.15 * f.name + f.countdown + 1.2 * f.detail + 2 * f.pad + 2;
        expect(used, `${w}×${h}`).toBeLessThanOrEqual(h);
      }
    }
  });

  it('asks a wider tile of a long name’s two lines', () => {
    expect(readableTile(365, 234, em, 7)).toBe(true);
    expect(readableTile(365, 234, em, 9)).toBe(false);
  });

  it('fits five columns by four rows on a 1920×1080 wall and three by seven in portrait, no more', () => {
    const landscape = chooseLayout(20, W, H - 64);
    expect([landscape.cols, landscape.rows]).toEqual([5, 4]);
    expect(readableTile(landscape.tileWidth, landscape.tileHeight, em)).toBe(true);
    const more = chooseLayout(21, W, H - 64);
    expect(readableTile(more.tileWidth, more.tileHeight, em)).toBe(false);
    const portrait = chooseLayout(21, 1080, 1920 - 64);
    expect([portrait.cols, portrait.rows]).toEqual([3, 7]);
    expect(readableTile(portrait.tileWidth, portrait.tileHeight, em)).toBe(true);
  });
});
