import { live } from '../api/live.svelte';
import { timers as timersApi } from '../api/endpoints';
import type { Timer, TimerState } from '../api/types';
import { mergeTimerList, OPEN_STATES, upsertTimer } from './timerBook';

// The open timers of the branch, kept current from one load plus the live feed, and reloaded on
// every hello (a reconnect) or resync. Shared by the monitor and reception pages.

export class TimerBook {
  items = $state<Timer[]>([]);
  loaded = $state(false);
  error = $state<unknown>(null);

  constructor(private readonly states: readonly TimerState[] = OPEN_STATES) {}

  /** Start following; answers the stop function for $effect. */
  follow(): () => void {
    void this.reload();
    return live.on((message) => {
      if (message.type === 'timer.updated') this.apply(message.timer);
      else if (message.type === 'hello' || message.type === 'resync') void this.reload();
    });
  }

  apply(timer: Timer): void {
    this.items = upsertTimer(this.items, timer, this.states);
  }

  async reload(): Promise<void> {
    const started = Date.now();
    try {
      const list = await timersApi.list(this.states.join(','));
      this.items = mergeTimerList(this.items, list.items.filter((t) => this.states.includes(t.state)), started + live.offset);
      this.loaded = true;
      this.error = null;
    } catch (err) {
      this.error = err;
    }
  }
}
