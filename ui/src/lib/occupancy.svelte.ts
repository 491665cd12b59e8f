import { occupancy as occupancyApi } from '../api/endpoints';
import { live } from '../api/live.svelte';
import type { Occupancy } from '../api/types';
import { OCCUPANCY_MESSAGES } from './occupancy';

// The venue's occupancy, read again whenever the live feed says a child came in, left or ran out
// of time. A party's check-in sends one message per child: the reads are gathered into one.

/** How long to wait for the rest of a burst of messages before reading. */
const GATHER_MS = 200;

export class OccupancyWatch {
  current = $state<Occupancy | null>(null);
  error = $state<unknown>(null);
  private pending: ReturnType<typeof setTimeout> | null = null;

  /** Start following; answers the stop function for $effect. */
  follow(): () => void {
    void this.reload();
    const off = live.on((message) => {
      if (OCCUPANCY_MESSAGES.includes(message.type)) this.soon();
    });
    return () => {
      off();
      if (this.pending) clearTimeout(this.pending);
      this.pending = null;
    };
  }

  private soon(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = null;
      void this.reload();
    }, GATHER_MS);
  }

  async reload(): Promise<void> {
    try {
      this.current = await occupancyApi.get();
      this.error = null;
    } catch (err) {
      this.error = err;
    }
  }
}
