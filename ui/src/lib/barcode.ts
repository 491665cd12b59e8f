// A USB barcode scanner is a keyboard that types digits and Enter within a few milliseconds.
// Telling it apart from a person by the typing speed lets it work anywhere on the page,
// even while the search box has focus.

export interface ScannerOptions {
  /** Longest gap between two keys of one scan. Scanners send a key every few ms; even a fast
   *  typist needs about 100 ms a key, and six in a row under 60 ms does not happen by hand. */
  maxGapMs: number;
  minLength: number;
}

export const SCANNER: ScannerOptions = { maxGapMs: 60, minLength: 6 };

export class BarcodeScanner {
  private buffer = '';
  private lastAt = -Infinity;

  constructor(private readonly options: ScannerOptions = SCANNER) {}

  /** Feed one key; answers the code when this Enter closes a scan. */
  feed(key: string, at: number): string | null {
    const gap = at - this.lastAt;
    this.lastAt = at;
    if (key === 'Enter') {
      const code = this.buffer;
      this.buffer = '';
      return gap <= this.options.maxGapMs && code.length >= this.options.minLength ? code : null;
    }
    if (key.length === 1 && /[0-9A-Za-z-]/.test(key)) {
      this.buffer = gap <= this.options.maxGapMs ? this.buffer + key : key;
    } else {
      this.buffer = '';
    }
    return null;
  }
}
