import type { Role } from '../api/types';

// Which role may open which page. The hub enforces roles on every route; this only keeps people
// from landing on a page whose every request would be refused.

export type Page = 'reception' | 'kidibar' | 'monitor' | 'totem' | 'admin';

export const PAGES_BY_ROLE: Record<Role, readonly Page[]> = {
  super_admin: ['admin', 'reception', 'kidibar', 'monitor', 'totem'],
  admin_viewer: ['admin', 'monitor', 'totem'],
  reception: ['reception', 'monitor'],
  kidibar: ['kidibar'],
  monitor: ['monitor'],
  totem: ['totem'],
};

export function homePage(role: Role): Page {
  return PAGES_BY_ROLE[role][0] ?? 'monitor';
}

export function canOpen(role: Role, page: Page): boolean {
  return PAGES_BY_ROLE[role].includes(page);
}

/** Admins may change things; admin_viewer sees the same screens read-only. */
export function canWriteCatalog(role: Role): boolean {
  return role === 'super_admin';
}

export type Resolution = { page: Page | 'login'; redirect: string | null };

/** After logging in: back to the page the device was opened on, if this role may see it. */
export function afterLogin(role: Role, wanted: string | null): string {
  const first = (wanted ?? '').split('/').filter(Boolean)[0] ?? '';
  return canOpen(role, first as Page) ? (wanted as string) : `/${homePage(role)}`;
}

/** Where a path leads for this user (null: nobody is logged in). */
export function resolvePath(path: string, role: Role | null): Resolution {
  const first = path.split('/').filter(Boolean)[0] ?? '';
  if (role === null) return first === 'login' ? { page: 'login', redirect: null } : { page: 'login', redirect: '/login' };
  const page = first as Page;
  if (first !== 'login' && first !== '' && canOpen(role, page)) return { page, redirect: null };
  const home = homePage(role);
  return { page: home, redirect: `/${home}` };
}
