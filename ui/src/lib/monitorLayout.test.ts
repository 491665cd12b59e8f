import { describe, expect, it } from 'vitest';
import { chooseLayout, countdownWidthEm, nameFont, NAME_MIN_SHARE, textWidthEm, tileFonts, widestCountdown } from './monitorLayout';

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
    for (const n of [1, 8, 24, 60]) {
      const { tileWidth, tileHeight } = chooseLayout(n, W, H);
      const short = tileFonts(tileWidth, tileHeight, countdownWidthEm('00:00', 'sans-serif'));
      const emLong = countdownWidthEm('-0:00:00', 'sans-serif');
      const long = tileFonts(tileWidth, tileHeight, emLong);
      expect(long.countdown).toBeLessThanOrEqual(short.countdown);
      // Inside the tile's padding (6 % a side).
      expect(long.countdown * emLong, `${n} timers`).toBeLessThanOrEqual(tileWidth * 0.88);
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

  it('keeps a short name at the wall’s size and shrinks a long full name only so far', () => {
    const base = tileFonts(layout.tileWidth, layout.tileHeight, 3).name;
    expect(nameFont(base, layout.tileWidth, textWidthEm('Ana R.', 'sans-serif', 800))).toBe(base);
    // "Valentina Hernández Gómez" is about 12 em wide in a bold UI font.
    const size = nameFont(base, layout.tileWidth, 12);
    expect(size).toBeLessThan(base);
    expect(size * 12).toBeLessThanOrEqual(layout.tileWidth * 0.86 + 1);
    expect(nameFont(base, layout.tileWidth, 40), 'no smaller than the floor').toBe(Math.round(base * NAME_MIN_SHARE));
  });
});
