// The wake lock: asked for at once, again when the page is shown, released at the end, and a
// missing API or a refusal is no error.
import { describe, expect, it, vi } from 'vitest';
import { keepScreenAwake, type WakeDeps } from './wakeLock';

function fakes(refuse = false) {
  let listener: () => void = () => {};
  const release = vi.fn(async () => {});
  const request = vi.fn(async () => {
    if (refuse) throw new DOMException('not allowed', 'NotAllowedError');
    return { release };
  });
  let visible = true;
  const deps: WakeDeps = {
    wakeLock: { request },
    visible: () => visible,
    onVisibilityChange: (l) => {
      listener = l;
      return () => (listener = () => {});
    },
  };
  return { deps, request, release, show: () => { visible = true; listener(); }, hide: () => { visible = false; listener(); } };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('keepScreenAwake', () => {
  it('asks for the screen lock at once and again each time the page is shown', async () => {
    const f = fakes();
    const stop = keepScreenAwake(f.deps);
    await settle();
    expect(f.request).toHaveBeenCalledWith('screen');
    f.hide();
    expect(f.request).toHaveBeenCalledTimes(1);
    f.show();
    expect(f.request).toHaveBeenCalledTimes(2);
    stop();
    await settle();
    expect(f.release).toHaveBeenCalled();
    f.show();
    expect(f.request).toHaveBeenCalledTimes(2);
  });

  it('does nothing where the browser has no wake lock, and shrugs off a refusal', async () => {
    expect(() => keepScreenAwake({ ...fakes().deps, wakeLock: undefined })()).not.toThrow();
    const f = fakes(true);
    const stop = keepScreenAwake(f.deps);
    await settle();
    expect(f.request).toHaveBeenCalledTimes(1);
    stop();
  });
});
