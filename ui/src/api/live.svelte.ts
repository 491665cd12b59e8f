import { backoffDelay } from '../lib/backoff';
import { clockOffset } from '../lib/clock';
import { auth } from './endpoints';
import { hubOrigin, ApiError } from './client';
import type { LiveFrame } from './types';

// One WebSocket to the hub per tab. It reconnects by itself with exponential back-off; every
// (re)connection starts with a hello, and listeners reload their lists on it, so nothing pushed
// while the link was down is missed. The hello also gives the server clock for countdowns.

export type LiveStatus = 'connecting' | 'online' | 'offline';
type Listener = (message: LiveFrame) => void;

/** What the feed needs from the outside world; tests pass fakes. */
export interface LiveDeps {
  openSocket: (url: string) => WebSocket;
  /** Is the hub reachable over HTTP? Used to notice a link that died without closing. */
  probe: () => Promise<boolean>;
  now: () => number;
}

/** A socket on a dead link (hub PC switched off, cable pulled) may never report a close; a
 *  failed health probe every so often turns that into a reconnect and the offline badge. */
export const PROBE_EVERY_MS = 10_000;

const browserDeps: LiveDeps = {
  openSocket: (url) => new WebSocket(url),
  probe: async () => {
    try {
      return (await fetch(`${hubOrigin()}/healthz`, { cache: 'no-store', signal: AbortSignal.timeout(4000) })).ok;
    } catch {
      return false;
    }
  },
  now: () => Date.now(),
};

export class LiveFeed {
  status = $state<LiveStatus>('connecting');
  /** Add to Date.now() to get the hub's clock. */
  offset = $state(0);

  private socket: WebSocket | null = null;
  private token: string | null = null;
  private attempt = 0;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  // Listeners are plumbing, not state to render: a plain Set on purpose.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private listeners = new Set<Listener>();

  constructor(private readonly deps: LiveDeps = browserDeps) {}

  start(token: string): void {
    if (this.token === token && (this.socket || this.retry)) return;
    this.stop();
    this.token = token;
    this.connect();
    this.watchdog = setInterval(() => void this.checkLink(), PROBE_EVERY_MS);
  }

  stop(): void {
    this.token = null;
    if (this.retry) clearTimeout(this.retry);
    if (this.watchdog) clearInterval(this.watchdog);
    this.retry = null;
    this.watchdog = null;
    const socket = this.socket;
    this.socket = null;
    socket?.close();
    this.status = 'connecting';
    this.attempt = 0;
  }

  /** Subscribe; answers the unsubscribe function (fits Svelte's $effect cleanup). */
  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private connect(): void {
    this.retry = null;
    const token = this.token;
    if (!token) return;
    const url = `${hubOrigin().replace(/^http/, 'ws')}/api/v1/live?token=${encodeURIComponent(token)}`;
    const socket = this.deps.openSocket(url);
    this.socket = socket;
    let openedAt = this.deps.now();
    let greeted = false;

    socket.onopen = () => {
      openedAt = this.deps.now();
    };
    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      let message: LiveFrame;
      try {
        message = JSON.parse(String(event.data)) as LiveFrame;
      } catch {
        return;
      }
      if (message.type === 'hello') {
        greeted = true;
        this.offset = clockOffset(message.server_time, openedAt, this.deps.now());
        this.status = 'online';
        this.attempt = 0;
      }
      for (const listener of this.listeners) listener(message);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.dropped(!greeted);
    };
  }

  /** The socket is gone: show it, and try again after the back-off. */
  private dropped(beforeHello: boolean): void {
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = null;
      socket.onmessage = null;
      socket.close();
    }
    this.status = 'offline';
    if (beforeHello) void this.checkToken();
    if (this.token && !this.retry) this.retry = setTimeout(() => this.connect(), backoffDelay(this.attempt++));
  }

  private async checkLink(): Promise<void> {
    if (this.status !== 'online' || !this.socket) return;
    if (!(await this.deps.probe()) && this.status === 'online') this.dropped(false);
  }

  /** A socket refused before its hello may mean the token died (revoked, expired): asking
   *  /auth/me tells that apart from a hub that is simply unreachable, and its 401 sends the user
   *  to /login through the API client. */
  private async checkToken(): Promise<void> {
    try {
      await auth.me();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) this.stop();
    }
  }
}

export const live = new LiveFeed();
