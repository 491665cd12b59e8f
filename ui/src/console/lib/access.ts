// What each role sees and may change in the console. The cloud enforces the same on every route;
// this only keeps the menu and the buttons honest (a viewer reads, a manager runs their branches,
// the owner runs the organisation).
import type { IconName } from '../../components/Icon.svelte';
import type { Role } from '../api/client';

export type PageId = 'tablero' | 'sucursales' | 'personas' | 'alertas' | 'fiestas' | 'cortes' | 'catalogo' | 'cuenta';

export const PAGES: { id: PageId; label: string; icon: IconName; roles: Role[] }[] = [
  { id: 'tablero', label: 'Tablero', icon: 'coin', roles: ['owner', 'manager', 'viewer'] },
  { id: 'sucursales', label: 'Sucursales', icon: 'transfer', roles: ['owner', 'manager', 'viewer'] },
  { id: 'personas', label: 'Personas', icon: 'user', roles: ['owner'] },
  { id: 'alertas', label: 'Alertas', icon: 'speaker', roles: ['owner', 'manager', 'viewer'] },
  { id: 'fiestas', label: 'Fiestas', icon: 'balloon', roles: ['owner', 'manager', 'viewer'] },
  { id: 'cortes', label: 'Cortes', icon: 'cash', roles: ['owner', 'manager', 'viewer'] },
  { id: 'catalogo', label: 'Catálogo', icon: 'snack', roles: ['owner', 'manager', 'viewer'] },
  { id: 'cuenta', label: 'Mi cuenta', icon: 'pencil', roles: ['owner', 'manager', 'viewer'] },
];

export function pagesFor(role: Role) {
  return PAGES.filter((p) => p.roles.includes(role));
}

/** The page a path asks for, or null when this role may not open it (or it does not exist). */
export function pageFor(path: string, role: Role): PageId | null {
  const id = path.replace(/^\//, '').split('/')[0] ?? '';
  const page = PAGES.find((p) => p.id === id);
  return page && page.roles.includes(role) ? page.id : null;
}

export const can = {
  createBranch: (role: Role) => role === 'owner',
  editBranch: (role: Role) => role === 'owner' || role === 'manager',
  pair: (role: Role) => role === 'owner' || role === 'manager',
  editAlertRules: (role: Role) => role === 'owner',
  editCatalog: (role: Role) => role === 'owner',
  /** A branch's own prices: the owner, and a manager for their branches (the cloud checks which). */
  editOverrides: (role: Role) => role === 'owner' || role === 'manager',
};
