import { live } from '../api/live.svelte';
import { branches } from '../api/endpoints';
import type { Branch } from '../api/types';
import { zonedDate } from './zonedTime';

// The branch this hub runs (a store's hub serves one branch; its first branch is it). Its time
// zone decides "today" and the wall-clock time of scheduled starts.

export const branch = $state<{ current: Branch | null }>({ current: null });

let loading: Promise<void> | null = null;

export function loadBranch(): Promise<void> {
  loading ??= branches
    .list()
    .then((list) => {
      branch.current = list.items[0] ?? null;
    })
    .catch(() => {
      loading = null;
    });
  return loading;
}

/** Reads the branch again even if it was loaded (after an edit elsewhere). */
export function reloadBranch(): Promise<void> {
  loading = null;
  return loadBranch();
}

/**
 * Keeps `branch.current` up to date for a screen left on all day (the totem): reloaded when the
 * live feed says the branch changed or the connection came back, and every few minutes anyway
 * (the opening hours live with the booking settings, whose edits the feed does not announce).
 */
export function followBranch(everyMs = 5 * 60_000): () => void {
  void reloadBranch();
  const off = live.on((message) => {
    if ((message.type === 'catalog.changed' && message.entity === 'branch') || message.type === 'hello' || message.type === 'resync') {
      void reloadBranch();
    }
  });
  const timer = setInterval(() => void reloadBranch(), everyMs);
  return () => {
    off();
    clearInterval(timer);
  };
}

/** Kidyboard's stores are in Mexico: until the branch answers, its capital's zone is the best guess. */
export function branchZone(): string {
  return branch.current?.timezone ?? 'America/Mexico_City';
}

/** Today's date ("YYYY-MM-DD") in the branch's zone; read inside an effect or derived, it follows
 *  the branch as it loads. */
export function branchToday(): string {
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- the moment it is read, never changed
  return zonedDate(new Date(), branchZone());
}
