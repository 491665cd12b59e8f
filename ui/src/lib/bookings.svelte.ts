import { bookings as bookingsApi, areas as areasApi, partyPackages, bookingSettings } from '../api/endpoints';
import { live } from '../api/live.svelte';
import type { Area, Booking, BookingSettings, PartyPackage } from '../api/types';
import { mergeBookings, upsertBooking, type DayRange } from './bookingBook';

// The bookings of the days on screen, kept current from one load plus the live feed's
// `booking.updated` (every open calendar shows a new or moved party without a reload), and
// reloaded on every hello (a reconnect) or resync. Also what the calendar is laid out with: the
// branch's areas, party packages and opening hours.

export class BookingBook {
  items = $state<Booking[]>([]);
  range = $state<DayRange | null>(null);
  loaded = $state(false);
  error = $state<unknown>(null);
  private asked = 0;

  /** Start following; answers the stop function for $effect. */
  follow(): () => void {
    return live.on((message) => {
      if (message.type === 'booking.updated') this.apply(message.booking);
      else if (message.type === 'hello' || message.type === 'resync') void this.reload();
    });
  }

  /** Show these days (loads them; the same days again only reload). */
  show(range: DayRange): void {
    if (this.range?.from !== range.from || this.range?.to !== range.to) this.range = range;
    void this.reload();
  }

  apply(booking: Booking): void {
    this.items = upsertBooking(this.items, booking, this.range);
  }

  async reload(): Promise<void> {
    const range = this.range;
    if (!range) return;
    const mine = ++this.asked;
    try {
      const list = await bookingsApi.list({ from: range.from, to: range.to });
      if (mine !== this.asked) return;
      const held = this.items.filter((b) => b.day >= range.from && b.day <= range.to);
      this.items = mergeBookings(held, list.items);
      this.loaded = true;
      this.error = null;
    } catch (err) {
      if (mine === this.asked) this.error = err;
    }
  }
}

/** The branch's areas (rooms and zones, in their order), party packages and hours. */
export class BookingSetup {
  areas = $state<Area[]>([]);
  packages = $state<PartyPackage[]>([]);
  settings = $state<BookingSettings | null>(null);
  loaded = $state(false);
  error = $state<unknown>(null);

  follow(): () => void {
    void this.reload();
    return live.on((message) => {
      if (message.type === 'hello' || message.type === 'resync') void this.reload();
      else if (message.type === 'catalog.changed' && /area|package|booking/.test(message.entity)) void this.reload();
    });
  }

  async reload(): Promise<void> {
    try {
      const [a, p, s] = await Promise.all([areasApi.list(), partyPackages.list(), bookingSettings.get()]);
      this.areas = a.items.filter((x) => x.active).sort((x, y) => x.position - y.position || x.name.localeCompare(y.name));
      this.packages = p.items.filter((x) => x.active);
      this.settings = s;
      this.loaded = true;
      this.error = null;
    } catch (err) {
      this.error = err;
    }
  }
}
