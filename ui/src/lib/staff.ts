import type { Role, User } from '../api/types';

// Who has worked on this device lately, for the quick PIN switch (a non-admin cannot list users,
// and a shared desk has the same few people all day) and for naming the clerk on a sale, whose
// record carries only the user's id. Kept in localStorage: usernames and names, never a secret.

export interface KnownUser {
  id: string;
  username: string;
  display_name: string;
  role: Role;
}

export const RECENT_USERS = 'kidyboard.recentUsers';
/** How many people the switch offers: a desk's staff, not a directory. */
export const RECENT_MAX = 6;

/** The list with `user` first (once), the oldest dropped past RECENT_MAX. */
export function rememberUser(list: readonly KnownUser[], user: User | KnownUser): KnownUser[] {
  const known: KnownUser = { id: user.id, username: user.username, display_name: user.display_name, role: user.role };
  return [known, ...list.filter((u) => u.username !== user.username)].slice(0, RECENT_MAX);
}

/** A stored list, tolerating anything a person or an older version left there. */
export function parseKnownUsers(raw: string | null): KnownUser[] {
  try {
    const list: unknown = JSON.parse(raw ?? '[]');
    if (!Array.isArray(list)) return [];
    return list
      .filter((u): u is KnownUser => !!u && typeof u === 'object' && typeof u.username === 'string' && typeof u.id === 'string')
      .slice(0, RECENT_MAX);
  } catch {
    return [];
  }
}

export function loadKnownUsers(): KnownUser[] {
  try {
    return parseKnownUsers(localStorage.getItem(RECENT_USERS));
  } catch {
    return [];
  }
}

export function saveKnownUser(user: User): void {
  try {
    localStorage.setItem(RECENT_USERS, JSON.stringify(rememberUser(loadKnownUsers(), user)));
  } catch {
    // Private mode: the switch just offers nobody.
  }
}

/** A user's name as the page shows it, from what this device knows; null when it knows nothing. */
export function nameOf(id: string | null | undefined, known: readonly KnownUser[], names: Readonly<Record<string, string>> = {}): string | null {
  if (!id) return null;
  const user = known.find((u) => u.id === id);
  return user ? user.display_name || user.username : (names[id] ?? null);
}

const NAMES = 'kidyboard.userNames';
/** Names kept by id, at most this many (the supervisors who authorised refunds here). */
const NAMES_MAX = 20;

/** Ids this device has seen named elsewhere: a supervisor is known by the username typed for them. */
export function loadNames(): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(NAMES) ?? '{}');
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

export function rememberName(id: string, name: string): void {
  try {
    const names = Object.entries({ ...loadNames(), [id]: name }).slice(-NAMES_MAX);
    localStorage.setItem(NAMES, JSON.stringify(Object.fromEntries(names)));
  } catch {
    // Private mode: shown as unknown later.
  }
}

/** PINs are 4–6 digits (docs/api.md § Auth). */
export const PIN_MIN = 4;
export const PIN_MAX = 6;

/** The PIN after a key of the pad (a digit, 'back' or 'clear'); never longer than PIN_MAX. */
export function pressPin(pin: string, key: string): string {
  if (key === 'back') return pin.slice(0, -1);
  if (key === 'clear') return '';
  if (!/^\d$/.test(key) || pin.length >= PIN_MAX) return pin;
  return pin + key;
}

/** What typing or pasting leaves in the PIN field: its digits, at most PIN_MAX. */
export function cleanPin(text: string): string {
  return text.replace(/\D/g, '').slice(0, PIN_MAX);
}

export function pinReady(pin: string): boolean {
  return pin.length >= PIN_MIN && pin.length <= PIN_MAX && /^\d+$/.test(pin);
}

const SUPERVISOR = 'kidyboard.supervisor';

/** Who authorised the last refund on this device, else an administrator seen here; '' if none. */
export function usualSupervisor(known: readonly KnownUser[] = loadKnownUsers()): string {
  try {
    const last = localStorage.getItem(SUPERVISOR);
    if (last) return last;
  } catch {
    // no storage: fall through
  }
  return known.find((u) => u.role === 'super_admin')?.username ?? '';
}

export function rememberSupervisor(username: string): void {
  try {
    localStorage.setItem(SUPERVISOR, username);
  } catch {
    // Private mode: typed again next time.
  }
}
