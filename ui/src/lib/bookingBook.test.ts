import { describe, expect, it } from 'vitest';
import type { Booking, Family } from '../api/types';
import {
  canCheckIn, cancelRefunds, charges, daysBetween, doorNames, estimate, mergeBookings, moveRequest, moves, partiesOn, turningAge,
  upsertBooking,
} from './bookingBook';

/** A booking as the hub sends it, with what a test cares about changed. */
function booking(over: Partial<Booking> = {}): Booking {
  return {
    id: 'b1', folio: 'F-000001', state: 'confirmed', expired: false, family_id: null, guardian_name: 'Ana López',
    guardian_phone: '5512345678', whatsapp_reminder: 'https://wa.me/525512345678?text=x', birthday_child: 'Sofía', birthday_age: 6,
    area_id: 'salon-a', area_name: 'Salón A', package_id: 'p1', package_name: 'Fiesta Básica',
    starts_at: '2026-03-14T17:00:00Z', ends_at: '2026-03-14T20:00:00Z', day: '2026-03-14', buffer_minutes: 30,
    expected_children: 15, notes: '', held_until: null, total_cents: 350_000, deposit_cents: 105_000, paid_cents: 0,
    due_cents: 350_000, checked_in_children: 0, sale_id: null, pickup_code: null, cancel_reason: '',
    created_at: '2026-03-01T17:00:00Z', updated_at: '2026-03-01T17:00:00Z', version: 1,
    ...over,
  } as Booking;
}

const week = { from: '2026-03-09', to: '2026-03-15' };

describe('keeping the list current', () => {
  it('adds a booking of a day on screen, in order of start', () => {
    const early = booking({ id: 'a', starts_at: '2026-03-14T15:00:00Z' });
    const list = upsertBooking([booking()], early, week);
    expect(list.map((b) => b.id)).toEqual(['a', 'b1']);
  });

  it('ignores a booking of a day not on screen, and drops one moved off it', () => {
    expect(upsertBooking([], booking({ day: '2026-03-20' }), week)).toEqual([]);
    expect(upsertBooking([booking()], booking({ day: '2026-03-20', version: 2 }), week)).toEqual([]);
  });

  it('never lets an older copy undo a newer one', () => {
    const newer = booking({ version: 3, starts_at: '2026-03-14T18:00:00Z' });
    const list = upsertBooking([newer], booking({ version: 2 }), week);
    expect(list[0]?.starts_at).toBe('2026-03-14T18:00:00Z');
  });

  it('a reload keeps what the feed brought in newer meanwhile', () => {
    const pushed = booking({ version: 4, state: 'checked_in' });
    const loaded = [booking({ version: 3 }), booking({ id: 'b2', starts_at: '2026-03-14T15:00:00Z' })];
    expect(mergeBookings([pushed], loaded).map((b) => [b.id, b.version])).toEqual([['b2', 1], ['b1', 4]]);
  });
});

describe('the desk', () => {
  it('lists the day’s parties, cancelled ones left out', () => {
    const list = [booking(), booking({ id: 'c', state: 'cancelled' }), booking({ id: 'o', day: '2026-03-15' })];
    expect(partiesOn(list, '2026-03-14').map((b) => b.id)).toEqual(['b1']);
  });

  it('checks in a confirmed party on its day only', () => {
    expect(canCheckIn(booking(), '2026-03-14')).toBe(true);
    expect(canCheckIn(booking(), '2026-03-13')).toBe(false);
    expect(canCheckIn(booking({ state: 'tentative' }), '2026-03-14')).toBe(false);
    expect(canCheckIn(booking({ state: 'checked_in' }), '2026-03-14')).toBe(false);
  });

  it('charges the deposit first, then the balance', () => {
    expect(charges(booking({ state: 'tentative' }))).toEqual({ deposit: 105_000, balance: 350_000 });
    expect(charges(booking({ paid_cents: 105_000, due_cents: 245_000 }))).toEqual({ deposit: null, balance: 245_000 });
    expect(charges(booking({ paid_cents: 350_000, due_cents: 0 }))).toEqual({ deposit: null, balance: 0 });
    // A party without a deposit charges only its balance.
    expect(charges(booking({ deposit_cents: 0 }))).toEqual({ deposit: null, balance: 350_000 });
    expect(charges(booking({ state: 'cancelled' }))).toEqual({ deposit: null, balance: 0 });
    // Confirmed without its deposit (an administrator let it): only the balance is asked.
    expect(charges(booking({ state: 'confirmed' }))).toEqual({ deposit: null, balance: 350_000 });
  });

  it('refunds on cancelling only early enough, and only what was paid', () => {
    const paid = booking({ paid_cents: 105_000 });
    expect(daysBetween('2026-03-07', '2026-03-14')).toBe(7);
    expect(cancelRefunds(paid, 7, '2026-03-07')).toBe(true);
    expect(cancelRefunds(paid, 7, '2026-03-08')).toBe(false);
    expect(cancelRefunds(booking(), 7, '2026-03-01')).toBe(false);
  });
});

describe('moving a party', () => {
  it('keeps its length and sends the version it was seen at', () => {
    const b = booking({ version: 5 });
    expect(moveRequest(b, '2026-03-15', 12 * 60, 'America/Mexico_City')).toEqual({
      starts_at: '2026-03-15T18:00:00Z', ends_at: '2026-03-15T21:00:00Z', version: 5,
    });
    expect(moveRequest(b, '2026-03-14', 11 * 60, 'America/Mexico_City', 'salon-b')).toEqual({
      starts_at: '2026-03-14T17:00:00Z', ends_at: '2026-03-14T20:00:00Z', area_id: 'salon-b', version: 5,
    });
  });

  it('keeps its wall-clock length across the night the clocks change', () => {
    // Tijuana, Saturday 7 March 10:00 PST → Sunday 8 March 10:00 PDT.
    const b = booking({ starts_at: '2026-03-07T18:00:00Z', ends_at: '2026-03-07T21:00:00Z', day: '2026-03-07' });
    expect(moveRequest(b, '2026-03-08', 600, 'America/Tijuana')).toMatchObject({ starts_at: '2026-03-08T17:00:00Z', ends_at: '2026-03-08T20:00:00Z' });
  });

  it('a drop where it was picked up is no move', () => {
    const b = booking();
    expect(moves(b, moveRequest(b, '2026-03-14', 11 * 60, 'America/Mexico_City'))).toBe(false);
    expect(moves(b, moveRequest(b, '2026-03-14', 11 * 60, 'America/Mexico_City', 'salon-b'))).toBe(true);
  });
});

describe('the door list', () => {
  const family = {
    id: 'f1', children: [
      { id: 'c1', name: 'Sofía López', active: true, notes: '' },
      { id: 'c2', name: 'Mateo López', active: true, notes: '' },
      { id: 'c3', name: 'Luis López', active: false, notes: '' },
    ],
  } as unknown as Family;

  it('starts with the birthday child (the family’s, by id), then the siblings', () => {
    expect(doorNames('sofia', family)).toEqual([
      { name: 'Sofía López', child_id: 'c1' }, { name: 'Mateo López', child_id: 'c2' },
    ]);
  });

  it('names a birthday child who is not on the family’s record', () => {
    expect(doorNames('Renata', family)[0]).toEqual({ name: 'Renata', child_id: null });
    expect(doorNames('Renata', null)).toEqual([{ name: 'Renata', child_id: null }]);
  });
});

describe('the booking form', () => {
  it('says the age the child turns that year', () => {
    expect(turningAge('2020-11-30', '2026-03-14')).toBe(6);
    expect(turningAge(null, '2026-03-14')).toBeNull();
    expect(turningAge('2027-01-01', '2026-03-14')).toBeNull();
  });

  it('estimates the price: the package, plus each child beyond those it includes', () => {
    const pkg = { price_cents: 350_000, children_included: 15, extra_child_price_cents: 12_000 };
    expect(estimate(pkg, 12)).toBe(350_000);
    expect(estimate(pkg, 18)).toBe(386_000);
  });
});
