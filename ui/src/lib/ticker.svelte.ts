// One clock shared by every countdown on the page: a single timer instead of one per countdown, so
// 60 tiles cost one callback per tick and never drift apart.
//
// Countdowns and the wall clock show whole seconds, so the clock ticks four times a second (a
// shown second is at most a quarter of a second late) instead of on every animation frame: a
// wall monitor or a totem runs for days, and there is no reason to wake its page 60 times a second
// to recompute every tile when nothing new can be shown.

/** How often the shared clock ticks, in ms. */
export const TICK_MS = 250;

class Ticker {
  now = $state(Date.now());
  private users = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** Keep the clock running while the caller needs it; answers the release function. */
  use(): () => void {
    if (this.users++ === 0) this.tick();
    return () => {
      if (--this.users === 0) clearTimeout(this.timer);
    };
  }

  // Re-aimed at the next quarter second each time, so the ticks stay on the same phase instead
  // of drifting with the timer's lateness.
  private tick = (): void => {
    this.now = Date.now();
    this.timer = setTimeout(this.tick, TICK_MS - (this.now % TICK_MS));
  };
}

export const ticker = new Ticker();
