// Keeps a wall or totem screen lit where the browser allows it (Screen Wake Lock API). A browser
// drops the lock whenever the page is hidden, so it is asked for again each time the page is
// shown. Where the API is missing or refuses (no user gesture, battery saver, an insecure
// origin: a hub on the LAN over plain http is one) nothing happens: the device's own screen
// settings rule then. The desktop shell keeps no lock of its own (crates/desktop has none), so
// the same request runs there too and is simply refused where its webview lacks the API.

/** What keepScreenAwake needs from the page; tests pass fakes. */
export interface WakeDeps {
  wakeLock: { request(type: 'screen'): Promise<{ release(): Promise<void> }> } | undefined;
  visible: () => boolean;
  onVisibilityChange: (listener: () => void) => () => void;
}

function browserDeps(): WakeDeps {
  return {
    wakeLock: typeof navigator !== 'undefined' && 'wakeLock' in navigator ? navigator.wakeLock : undefined,
    visible: () => document.visibilityState === 'visible',
    onVisibilityChange: (listener) => {
      document.addEventListener('visibilitychange', listener);
      return () => document.removeEventListener('visibilitychange', listener);
    },
  };
}

/** Hold the screen awake until the returned function is called (fits an $effect's cleanup). */
export function keepScreenAwake(deps: WakeDeps = browserDeps()): () => void {
  const wakeLock = deps.wakeLock;
  if (!wakeLock) return () => {};
  let stopped = false;
  let held: { release(): Promise<void> } | null = null;

  const request = async () => {
    if (stopped || !deps.visible()) return;
    try {
      const sentinel = await wakeLock.request('screen');
      if (stopped) void sentinel.release().catch(() => {});
      else held = sentinel;
    } catch {
      // Refused: the screen follows the device's own settings.
    }
  };

  const unlisten = deps.onVisibilityChange(() => void request());
  void request();
  return () => {
    stopped = true;
    unlisten();
    void held?.release().catch(() => {});
    held = null;
  };
}
