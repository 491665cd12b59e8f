import { describe, expect, it } from 'vitest';
import { BarcodeScanner } from './barcode';

function typeAll(scanner: BarcodeScanner, text: string, gap: number, start = 1000): (string | null)[] {
  return [...text, 'Enter'].map((key, i) => scanner.feed(key, start + i * gap));
}

describe('BarcodeScanner', () => {
  it('reads a fast burst of digits closed by Enter', () => {
    expect(typeAll(new BarcodeScanner(), '7501055300075', 8).at(-1)).toBe('7501055300075');
  });

  it('ignores a person typing slowly', () => {
    expect(typeAll(new BarcodeScanner(), '7501055300075', 180).at(-1)).toBeNull();
  });

  it('ignores short bursts', () => {
    expect(typeAll(new BarcodeScanner(), '123', 5).at(-1)).toBeNull();
  });

  it('starts a new code after a pause', () => {
    const scanner = new BarcodeScanner();
    scanner.feed('9', 0);
    scanner.feed('9', 10);
    expect(typeAll(scanner, '12345678', 5, 5000).at(-1)).toBe('12345678');
  });
});
