import type { Booking, Family, PartyPackage } from '../api/types';
import { activeChildren } from './checkin';
import { type Day, instantAt, minutesBetween } from './calendar';

// The rules of the bookings on screen that need no hub: keeping a list current from the live
// feed (a late, older copy never undoes a newer one), the day's parties at the desk, what the desk
// can charge, where a moved party lands, and the names at the door.

export interface DayRange {
  from: Day;
  to: Day;
}

const byStart = (a: Booking, b: Booking) => a.starts_at.localeCompare(b.starts_at) || a.id.localeCompare(b.id);

/**
 * The list with `booking` as it is now: replaced (unless what is held is newer), added when its
 * day is on screen, dropped when it moved off the days on screen. Ordered by start, as the hub lists.
 */
export function upsertBooking(list: readonly Booking[], booking: Booking, range: DayRange | null): Booking[] {
  const held = list.find((b) => b.id === booking.id);
  if (held && held.version > booking.version) return [...list];
  const rest = list.filter((b) => b.id !== booking.id);
  const shown = !range || (booking.day >= range.from && booking.day <= range.to);
  return shown ? [...rest, booking].sort(byStart) : rest;
}

/** A fresh load of the range, keeping any copy that the live feed brought in newer meanwhile. */
export function mergeBookings(held: readonly Booking[], loaded: readonly Booking[]): Booking[] {
  const newer = new Map(held.map((b) => [b.id, b]));
  return loaded.map((b) => {
    const mine = newer.get(b.id);
    return mine && mine.version > b.version ? mine : b;
  }).sort(byStart);
}

/** The desk's parties of the day, in order: everything but the cancelled ones. */
export function partiesOn(list: readonly Booking[], day: Day): Booking[] {
  return list.filter((b) => b.day === day && b.state !== 'cancelled').sort(byStart);
}

/** Whether the party can be checked in at the door now (its day, paid its deposit, not yet in). */
export function canCheckIn(booking: Pick<Booking, 'day' | 'state'>, today: Day): boolean {
  return booking.day === today && booking.state === 'confirmed';
}

export interface Charges {
  /** The deposit still owed (a tentative booking is held until it is paid), or null. */
  deposit: number | null;
  /** Everything still owed. */
  balance: number;
}

/** What the desk can charge for a booking now. */
export function charges(booking: Pick<Booking, 'state' | 'deposit_cents' | 'paid_cents' | 'due_cents'>): Charges {
  if (booking.state === 'cancelled' || booking.state === 'completed') return { deposit: null, balance: 0 };
  const balance = Math.max(0, booking.due_cents);
  const deposit = booking.deposit_cents - booking.paid_cents;
  const held = booking.state === 'tentative';
  return { deposit: held && deposit > 0 && deposit < balance ? deposit : null, balance };
}

/** Whole days from one date to another ("YYYY-MM-DD"). */
export function daysBetween(from: Day, to: Day): number {
  return Math.round((Date.parse(`${to}T12:00:00Z`) - Date.parse(`${from}T12:00:00Z`)) / 86_400_000);
}

/** The branch's rule: cancelled at least `refundDays` days before, the money paid is given back. */
export function cancelRefunds(booking: Pick<Booking, 'day' | 'paid_cents'>, refundDays: number, today: Day): boolean {
  return booking.paid_cents > 0 && daysBetween(today, booking.day) >= refundDays;
}

/** The PATCH that moves a party to another start (and area), keeping its length; `version` makes
 *  the hub refuse it when someone changed the party since this screen saw it. */
export function moveRequest(
  booking: Pick<Booking, 'starts_at' | 'ends_at' | 'area_id' | 'version'>,
  day: Day, startMinutes: number, timeZone: string, areaId: string = booking.area_id,
): { starts_at: string; ends_at: string; area_id?: string; version: number } {
  const length = minutesBetween(booking.starts_at, booking.ends_at);
  const starts_at = instantAt(day, startMinutes, timeZone);
  const ends_at = new Date(new Date(starts_at).getTime() + length * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return { starts_at, ends_at, ...(areaId !== booking.area_id ? { area_id: areaId } : {}), version: booking.version };
}

/** Whether the move changes anything (a drop where it was picked up is no move). */
export function moves(booking: Pick<Booking, 'starts_at' | 'area_id'>, to: { starts_at: string; area_id?: string }): boolean {
  return new Date(to.starts_at).getTime() !== new Date(booking.starts_at).getTime() || (!!to.area_id && to.area_id !== booking.area_id);
}

/** The names the door list starts with: the birthday child first, then the family's other children. */
export function doorNames(birthdayChild: string, family: Family | null): { name: string; child_id: string | null }[] {
  const kids = family ? activeChildren(family) : [];
  const norm = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').trim().toLowerCase();
  const own = kids.find((c) => norm(c.name) === norm(birthdayChild) || norm(c.name).startsWith(`${norm(birthdayChild)} `));
  const first = own ? { name: own.name, child_id: own.id } : { name: birthdayChild.trim(), child_id: null };
  const rest = kids.filter((c) => c !== own).map((c) => ({ name: c.name, child_id: c.id }));
  return [first, ...rest].filter((k) => k.name !== '');
}

/** The age a child turns in the party's year, from a "YYYY-MM-DD" birth date; null when unknown. */
export function turningAge(birth: string | null | undefined, day: Day): number | null {
  const born = /^(\d{4})-\d{2}-\d{2}$/.exec(birth ?? '')?.[1];
  if (!born) return null;
  const age = Number(day.slice(0, 4)) - Number(born);
  return age >= 0 && age < 100 ? age : null;
}

/** What a party of `expected` children will cost with the package: its price, plus each child
 *  beyond those it includes (the hub's total is the one charged). */
export function estimate(pkg: Pick<PartyPackage, 'price_cents' | 'children_included' | 'extra_child_price_cents'>, expected: number): number {
  return pkg.price_cents + Math.max(0, expected - pkg.children_included) * pkg.extra_child_price_cents;
}
