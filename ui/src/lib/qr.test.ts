import jsQR from 'jsqr';
import { describe, expect, it } from 'vitest';
import { qrDataUrl, qrModules, qrSvg, whatsappUrl } from './qr';

/** Draws the code as a reader's camera would see it (4 px a module, quiet zone) and reads it back. */
function decode(text: string): string | undefined {
  const modules = qrModules(text);
  const scale = 4;
  const size = (modules.length + 8) * scale;
  const pixels = new Uint8ClampedArray(size * size * 4).fill(255);
  modules.forEach((row, r) =>
    row.forEach((dark, c) => {
      if (!dark) return;
      for (let y = 0; y < scale; y++) {
        for (let x = 0; x < scale; x++) {
          const at = (((r + 4) * scale + y) * size + (c + 4) * scale + x) * 4;
          pixels[at] = pixels[at + 1] = pixels[at + 2] = 0;
        }
      }
    }),
  );
  return jsQR(pixels, size, size)?.data;
}

describe('qrSvg', () => {
  it('draws a square SVG with the quiet zone', () => {
    const svg = qrSvg('ABCD-1234');
    const size = Number(/viewBox="0 0 (\d+) \1"/.exec(svg)?.[1]);
    expect(size).toBe(21 + 8);
    expect(svg).toContain('<path d="M');
  });
  it('is a data: URL the CSP allows', () => {
    expect(qrDataUrl('otpauth://totp/x?secret=ABC')).toMatch(/^data:image\/svg\+xml;charset=utf-8,%3Csvg/);
  });
  it('reads back as what was encoded, as a phone would read it', () => {
    expect(decode('https://wa.me/525512345678')).toBe('https://wa.me/525512345678');
    expect(decode('otpauth://totp/Kidyboard:ana?secret=JBSWY3DPEHPK3PXP&issuer=Kidyboard')).toBe('otpauth://totp/Kidyboard:ana?secret=JBSWY3DPEHPK3PXP&issuer=Kidyboard');
  });
});

describe('whatsappUrl', () => {
  it('puts Mexico’s 52 before the ten digits', () => {
    expect(whatsappUrl('5512345678')).toBe('https://wa.me/525512345678');
    expect(whatsappUrl('55 1234 5678')).toBe('https://wa.me/525512345678');
  });
});
