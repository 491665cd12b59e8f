// Clock helpers for tests that must not depend on the hour they run at: a branch moved to a zone
// where it is late morning now has the whole day ahead of it, whenever the suite runs.

/** An `Etc/GMT` zone where the local time now is between 10:00 and 11:00 (Etc's signs are reversed). */
export function lateMorningZone(now = new Date()) {
  let offset = 10 - now.getUTCHours();
  if (offset < -12) offset += 24;
  if (offset > 14) offset -= 24;
  return offset === 0 ? 'Etc/UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

/** "YYYY-MM-DD" of an instant (now by default) in the zone. */
export function dayIn(timeZone, at = new Date()) {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** Seconds since the last midnight in the zone, by its wall clock (now by default). */
export function secondsIntoDay(timeZone, at = Date.now()) {
  const [h, m, s] = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
    .format(new Date(at)).split(':').map(Number);
  return (h * 60 + m) * 60 + s;
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a "YYYY-MM-DD". */
export function isoWeekday(day) {
  return ((new Date(`${day}T12:00:00Z`).getUTCDay() + 6) % 7) + 1;
}
