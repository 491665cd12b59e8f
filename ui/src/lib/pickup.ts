import type { Timer } from '../api/types';
import { overtimeAt } from './overtime';

// Handing children back at the desk (`GET /checkouts/{code}`, `POST /checkouts`): the code as a
// clerk or a barcode scanner types it, who may collect without an administrator, and what is still
// owed. The hub decides every one of these again; the desk only avoids a refused round trip.

/** The hub's pick-up codes are four digits; a lookup starts by itself once they are typed. */
export const PICKUP_CODE_LENGTH = 4;
/** Room for longer codes than today's without the field cutting them. */
const CODE_MAX = 8;

/** What the field keeps of what was typed or scanned: digits only. */
export function cleanCode(input: string): string {
  return input.replace(/\D/g, '').slice(0, CODE_MAX);
}

/** Names compared the way a clerk reads them: no case, accents or doubled spaces. */
export function sameName(a: string, b: string): boolean {
  const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').replace(/\s+/g, ' ').trim().toLowerCase();
  return fold(a) !== '' && fold(a) === fold(b);
}

/** May this adult collect without an administrator? Only a name on the list; an empty list (a
 *  ticket that named nobody) is the hub's to judge, so the desk does not ask for a PIN up front. */
export function needsSupervisor(adult: string, authorised: readonly string[]): boolean {
  return authorised.length > 0 && !authorised.some((a) => sameName(a, adult));
}

/** The children whose overtime is due now, and what each owes, at the hub's instant `serverNow`. */
export function overtimeLines(children: readonly Timer[], serverNow: number): { timer: Timer; cents: number; minutes: number }[] {
  return children
    .map((timer) => ({ timer, ...overtimeAt(timer, serverNow) }))
    .filter((x) => x.dueCents > 0)
    .map(({ timer, dueCents, minutes }) => ({ timer, cents: dueCents, minutes }));
}

/** Everything owed for the code now: the children's overtime as it grows, never less than the
 *  hub's figure from the lookup. */
export function overtimeTotal(children: readonly Timer[], serverNow: number, hubFigure = 0): number {
  return Math.max(overtimeLines(children, serverNow).reduce((sum, x) => sum + x.cents, 0), hubFigure);
}

/** A party's child not named yet: the hub calls them «Invitado 2…N». */
export function isGuestName(name: string): boolean {
  return /^(invitado|guest)\s+\d+$/i.test(name.trim());
}
