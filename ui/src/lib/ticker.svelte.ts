// One animation-frame clock shared by every countdown on the page: a single rAF loop instead of a
// setInterval per timer, so 60 tiles cost one callback per frame and never drift apart.

class Ticker {
  now = $state(Date.now());
  private users = 0;
  private frame = 0;

  /** Keep the clock running while the caller needs it; answers the release function. */
  use(): () => void {
    if (this.users++ === 0) this.loop();
    return () => {
      if (--this.users === 0) cancelAnimationFrame(this.frame);
    };
  }

  private loop = (): void => {
    this.now = Date.now();
    this.frame = requestAnimationFrame(this.loop);
  };
}

export const ticker = new Ticker();
