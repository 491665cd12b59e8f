// Money is integer centavos end to end (the hub's rule); these helpers never go through floats
// for arithmetic, only for nothing at all: parsing is done on the digits themselves.

const GROUPING = /\B(?=(\d{3})+(?!\d))/g;

/** 123450 → "$1,234.50"; -5000 → "-$50.00". The same shape in es-MX and en. */
export function formatMXN(cents: number): string {
  if (!Number.isFinite(cents)) return '$—';
  const negative = cents < 0;
  const abs = Math.abs(Math.round(cents));
  const pesos = Math.floor(abs / 100).toString().replace(GROUPING, ',');
  const centavos = (abs % 100).toString().padStart(2, '0');
  return `${negative ? '-' : ''}$${pesos}.${centavos}`;
}

/** "$1,234.5" / "1234.50" / "12" → centavos; null when the text is not an amount. */
export function parseMoney(text: string): number | null {
  const cleaned = text.replace(/[\s$,]/g, '');
  const match = /^(-)?(\d*)(?:\.(\d{0,2}))?$/.exec(cleaned);
  if (!match || cleaned === '' || cleaned === '-' || cleaned === '.') return null;
  const [, sign, whole = '', fraction = ''] = match;
  if (whole === '' && fraction === '') return null;
  const cents = Number(whole || '0') * 100 + Number(fraction.padEnd(2, '0'));
  return sign ? -cents : cents;
}

/** Centavos → the plain text an input shows for editing ("1234.50"). */
export function centsToInput(cents: number): string {
  const abs = Math.abs(cents);
  return `${cents < 0 ? '-' : ''}${Math.floor(abs / 100)}.${(abs % 100).toString().padStart(2, '0')}`;
}
