// How long a visitor stayed, short and readable: "8 s", "1 min 05 s", "12 min".
export function formatDwell(ms: number): string {
  const s = Math.round(Math.max(0, ms) / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m >= 10) return `${Math.round(s / 60)} min`;
  return `${m} min ${String(s % 60).padStart(2, '0')} s`;
}

// A conversion as a percentage with one decimal ("12.5 %"), or a dash when nobody was counted.
export function formatConversion(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '—';
  return `${(Math.round(rate * 1000) / 10).toFixed(1)} %`;
}

// The first day of a range ending today (both YYYY-MM-DD), `days` long.
export function rangeStart(today: string, days: number): string {
  const d = new Date(`${today}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - (days - 1));
  return d.toISOString().slice(0, 10);
}
