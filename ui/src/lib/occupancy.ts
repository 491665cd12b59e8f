import type { Occupancy } from '../api/types';

// The venue's capacity as the desk shows it at a glance: how many are inside of how many may be,
// amber when only a few places are left, red when full with the time a place should free up.

/** Amber from this many places left (or a tenth of the capacity, whichever is more). */
export const FEW_PLACES = 3;

export type OccupancyTone = 'ok' | 'few' | 'full';

export function occupancyTone(o: Pick<Occupancy, 'capacity' | 'available' | 'full'>): OccupancyTone {
  if (o.full) return 'full';
  if (o.capacity > 0 && o.available != null && o.available <= Math.max(FEW_PLACES, Math.ceil(o.capacity / 10))) return 'few';
  return 'ok';
}

/** When a place is expected to free up, said only once full: the hub's `next_free_at`, or the
 *  soonest end among the running timers. */
export function freesUpAt(o: Pick<Occupancy, 'full' | 'next_free_at' | 'frees_up'>): string | null {
  if (!o.full) return null;
  return o.next_free_at ?? o.frees_up[0]?.at ?? null;
}

/** Live messages after which the count may have changed (a catalogue change may be the capacity's). */
export const OCCUPANCY_MESSAGES: readonly string[] = ['timer.updated', 'sale.created', 'checkout.created', 'catalog.changed', 'hello', 'resync'];
