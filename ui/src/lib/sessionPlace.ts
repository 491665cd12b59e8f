import type { Role } from '../api/types';

// Staff sessions live per tab (sessionStorage): closing the tab logs out, as a reception desk with
// rotating staff wants. Wall monitors and totems are unattended screens: their session is kept in
// localStorage, so a screen that restarts (a power cut, the kiosk shell coming back) shows its
// page again without someone typing a login.

const UNATTENDED: readonly Role[] = ['monitor', 'totem'];

/** Where a role's session is kept. */
export function sessionPlace(role: Role): 'local' | 'session' {
  return UNATTENDED.includes(role) ? 'local' : 'session';
}
