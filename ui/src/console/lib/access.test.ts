import { describe, expect, it } from 'vitest';
import { can, pageFor, pagesFor } from './access';

describe('console access', () => {
  it('shows Personas to owners only', () => {
    expect(pagesFor('owner').map((p) => p.id)).toContain('personas');
    expect(pagesFor('manager').map((p) => p.id)).not.toContain('personas');
    expect(pageFor('/personas', 'viewer')).toBeNull();
    expect(pageFor('/tablero', 'viewer')).toBe('tablero');
    expect(pageFor('/nada', 'owner')).toBeNull();
  });
  it('lets a viewer change nothing', () => {
    for (const rule of Object.values(can)) expect(rule('viewer')).toBe(false);
    expect(can.editBranch('manager')).toBe(true);
    expect(can.editCatalog('manager')).toBe(false);
  });
});
