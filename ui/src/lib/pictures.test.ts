import { describe, expect, it } from 'vitest';
import { pictureSrc, pictureSrcset } from './pictures';

const hash = 'ab'.repeat(32);

describe('pictures', () => {
  it('asks the hub for stored pictures at a width', () => {
    expect(pictureSrc(`/img/${hash}`, 320)).toBe(`/img/${hash}?w=320`);
  });

  it('sends cloud pictures through the hub so they show offline', () => {
    const url = 'https://cdn.example.com/paleta.png?v=2';
    expect(pictureSrc(url, 160)).toBe(`/img/remote?url=${encodeURIComponent(url)}&w=160`);
  });

  it('leaves other addresses alone and gives them no srcset', () => {
    expect(pictureSrc('/logo.svg', 320)).toBe('/logo.svg');
    expect(pictureSrc(`/img/${hash}x`, 320)).toBe(`/img/${hash}x`);
    expect(pictureSrcset('/logo.svg')).toBeUndefined();
  });

  it('lists every preset width in the srcset', () => {
    expect(pictureSrcset(`/img/${hash}`, [160, 320])).toBe(`/img/${hash}?w=160 160w, /img/${hash}?w=320 320w`);
  });
});
