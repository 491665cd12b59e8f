// A length of time as people say it at the counter: "8 h", "1 h 30 min", "30 min" — nobody
// reads "480 min" on a menu board and thinks "eight hours".

/** Whole minutes as hours and minutes, leaving out a part that is zero. */
export function formatDuration(minutes: number): string {
  if (!Number.isFinite(minutes) || minutes <= 0) return '0 min';
  const total = Math.round(minutes);
  const hours = Math.floor(total / 60);
  const rest = total % 60;
  if (hours === 0) return `${rest} min`;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}
