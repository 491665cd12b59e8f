import { backoffDelay } from '../lib/backoff';
import { clockOffset } from '../lib/clock';
import { auth } from './endpoints';
import { hubOrigin, ApiError } from './client';
import type { LiveMessage } from './types';

// One WebSocket to the hub per tab. It reconnects by itself with exponential back-off; every
// (re)connection starts with a hello, and listeners reload their lists on it, so nothing pushed
// while the link was down is missed. The hello also gives the server clock for countdowns.

export type LiveStatus = 'connecting' | 'online' | 'offline';
type Listener = (message: LiveMessage) => void;

class LiveFeed {
  status = $state<LiveStatus>('connecting');
  /** Add to Date.now() to get the hub's clock. */
  offset = $state(0);

  private socket: WebSocket | null = null;
  private token: string | null = null;
  private attempt = 0;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private listeners = new Set<Listener>();

  start(token: string): void {
    if (this.token === token && this.socket) return;
    this.stop();
    this.token = token;
    this.connect();
  }

  stop(): void {
    this.token = null;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
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
    const token = this.token;
    if (!token) return;
    const url = `${hubOrigin().replace(/^http/, 'ws')}/api/v1/live?token=${encodeURIComponent(token)}`;
    const socket = new WebSocket(url);
    this.socket = socket;
    let openedAt = Date.now();
    let greeted = false;

    socket.onopen = () => {
      openedAt = Date.now();
    };
    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      let message: LiveMessage;
      try {
        message = JSON.parse(String(event.data)) as LiveMessage;
      } catch {
        return;
      }
      if (message.type === 'hello') {
        greeted = true;
        this.offset = clockOffset(message.server_time, openedAt, Date.now());
        this.status = 'online';
        this.attempt = 0;
      }
      for (const listener of this.listeners) listener(message);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.status = 'offline';
      if (!greeted) void this.checkToken();
      this.retry = setTimeout(() => this.connect(), backoffDelay(this.attempt++));
    };
  }

  /** A socket refused before its hello may mean the token died (hub reset, logout elsewhere):
   *  asking /auth/me tells that apart from a hub that is simply unreachable, and its 401 sends the
   *  user to /login through the API client. */
  private async checkToken(): Promise<void> {
    try {
      await auth.me();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) this.stop();
    }
  }
}

export const live = new LiveFeed();
