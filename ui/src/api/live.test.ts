import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveFeed, PROBE_EVERY_MS } from './live.svelte';
import type { LiveFrame, User } from './types';

const user: User = {
  id: 'u1', username: 'recepcion', display_name: 'Recepción', role: 'reception', active: true,
  created_at: '2026-11-22T18:00:00Z',
};

class FakeSocket {
  static all: FakeSocket[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  closed = false;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  close() {
    this.closed = true;
  }
  /** A frame as the hub sends it: typed by the generated union, so the fakes follow the hub. */
  send(frame: LiveFrame) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  hello(serverTime: number) {
    this.onopen?.();
    this.send({ type: 'hello', server_time: new Date(serverTime).toISOString(), user, branch: null });
  }
  drop() {
    this.onclose?.();
  }
}

let hubUp = true;
let meStatus = 200;

function feed() {
  return new LiveFeed({
    openSocket: (url) => new FakeSocket(url) as unknown as WebSocket,
    probe: async () => hubUp,
    now: () => Date.now(),
  });
}

beforeEach(() => {
  FakeSocket.all = [];
  hubUp = true;
  meStatus = 200;
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-11-22T18:00:00Z'));
  vi.stubGlobal('fetch', async () => new Response(meStatus === 200 ? '{}' : '{"error":{"code":"unauthorized","message":"x"}}', { status: meStatus }));
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('LiveFeed', () => {
  it('takes the server clock offset from hello and passes messages on', () => {
    const live = feed();
    const seen: LiveFrame['type'][] = [];
    live.on((m) => seen.push(m.type));
    live.start('tok');
    const socket = FakeSocket.all[0]!;
    expect(socket.url).toContain('/api/v1/live?token=tok');
    socket.hello(Date.now() + 5000);
    socket.send({ type: 'resync' });
    expect(live.status).toBe('online');
    expect(live.offset).toBe(5000);
    expect(seen).toEqual(['hello', 'resync']);
  });

  it('shows offline and reconnects with growing delays', async () => {
    const live = feed();
    live.start('tok');
    FakeSocket.all[0]!.hello(Date.now());
    FakeSocket.all[0]!.drop();
    expect(live.status).toBe('offline');
    await vi.advanceTimersByTimeAsync(500);
    expect(FakeSocket.all).toHaveLength(2);
    FakeSocket.all[1]!.drop(); // refused before hello: the hub is still down
    await vi.advanceTimersByTimeAsync(600);
    expect(FakeSocket.all, 'the second wait is longer than the first').toHaveLength(2);
    await vi.advanceTimersByTimeAsync(500);
    expect(FakeSocket.all).toHaveLength(3);
    FakeSocket.all[2]!.hello(Date.now());
    expect(live.status).toBe('online');
  });

  it('notices a dead link through the health probe', async () => {
    const live = feed();
    live.start('tok');
    FakeSocket.all[0]!.hello(Date.now());
    hubUp = false;
    await vi.advanceTimersByTimeAsync(PROBE_EVERY_MS);
    expect(live.status).toBe('offline');
    expect(FakeSocket.all[0]!.closed).toBe(true);
    hubUp = true;
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeSocket.all.length).toBeGreaterThan(1);
  });

  it('stops for good when the token is no longer valid', async () => {
    const live = feed();
    live.start('tok');
    meStatus = 401;
    FakeSocket.all[0]!.drop();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(FakeSocket.all).toHaveLength(1);
  });
});
