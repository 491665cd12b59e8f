import { branches } from '../api/endpoints';
import type { Branch } from '../api/types';

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

/** Kidyboard's stores are in Mexico: until the branch answers, its capital's zone is the best guess. */
export function branchZone(): string {
  return branch.current?.timezone ?? 'America/Mexico_City';
}
