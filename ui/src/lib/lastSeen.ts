import { t } from '../i18n/index.svelte';
import { zonedDate, zonedTime } from './zonedTime';

// When a device (a speaker player, a camera) last reported, as the admin reads it: seconds or
// minutes ago while recent, then the branch's clock time (with the date when not today).

export function lastSeen(iso: string, now: number, timeZone: string): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const ago = Math.max(0, now - at);
  if (ago < 5_000) return t('seen.now');
  if (ago < 60_000) return t('seen.seconds', { n: Math.floor(ago / 1000) });
  if (ago < 60 * 60_000) return t('seen.minutes', { n: Math.floor(ago / 60_000) });
  const instant = new Date(at);
  const time = zonedTime(instant, timeZone);
  const date = zonedDate(instant, timeZone);
  return date === zonedDate(new Date(now), timeZone) ? time : t('seen.at', { date, time });
}
