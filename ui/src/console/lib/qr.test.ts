import { describe, expect, it } from 'vitest';
import { qrDataUrl, qrSvg } from './qr';

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
});
