// Ranges of business days for the reports page: quick presets counted back from today in the
// branch time zone, and the previous period of the same length the hub compares against.

export type Preset = 'today' | 'week' | 'month' | 'thisMonth' | 'year';
export const PRESETS: Preset[] = ['today', 'week', 'month', 'thisMonth', 'year'];

export interface DayRange {
  from: string;
  to: string;
}

/** "YYYY-MM-DD" plus n days (negative goes back), on the calendar alone. */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number);
  const t = new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1) + n * 86_400_000);
  return t.toISOString().slice(0, 10);
}

/** Days from `from` to `to`, both included. */
export function daysIn(range: DayRange): number {
  return Math.round((Date.parse(`${range.to}T00:00:00Z`) - Date.parse(`${range.from}T00:00:00Z`)) / 86_400_000) + 1;
}

export function presetRange(preset: Preset, today: string): DayRange {
  switch (preset) {
    case 'today':
      return { from: today, to: today };
    case 'week':
      return { from: addDays(today, -6), to: today };
    case 'month':
      return { from: addDays(today, -29), to: today };
    case 'thisMonth':
      return { from: `${today.slice(0, 8)}01`, to: today };
    case 'year':
      return { from: addDays(today, -364), to: today };
  }
}

/** The same number of days ending the day before `range` starts. */
export function previousRange(range: DayRange): DayRange {
  const to = addDays(range.from, -1);
  return { from: addDays(to, -(daysIn(range) - 1)), to };
}

/** What is wrong with a range the user typed, or null; mirrors the hub's own checks. */
export function rangeProblem(range: DayRange, maxDays = 400): 'invalid' | 'reversed' | 'tooLong' | null {
  const ok = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));
  if (!ok(range.from) || !ok(range.to)) return 'invalid';
  if (range.to < range.from) return 'reversed';
  if (daysIn(range) - 1 > maxDays) return 'tooLong';
  return null;
}

/** A change in percent as the page shows it: "+12.5 %", "−3.0 %", or "—" without a base. */
export function formatPercent(percent: number | null | undefined): string {
  if (percent === null || percent === undefined || !Number.isFinite(percent)) return '—';
  const sign = percent > 0 ? '+' : percent < 0 ? '−' : '';
  return `${sign}${Math.abs(percent).toFixed(1)} %`;
}

/** A change with its direction in front: "▲ +12.5 %", "▼ −3.0 %", "0.0 %"; "—" without a base. */
export function formatChange(delta: { change: number; percent?: number | null }): string {
  const text = formatPercent(delta.percent);
  if (text === '—' || delta.change === 0) return text;
  return `${delta.change > 0 ? '▲' : '▼'} ${text}`;
}

/** Whether a change is good news, bad news or neither, for colouring. */
export function trend(change: number): 'up' | 'down' | 'flat' {
  return change > 0 ? 'up' : change < 0 ? 'down' : 'flat';
}
