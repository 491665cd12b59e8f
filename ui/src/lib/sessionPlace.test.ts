import { describe, expect, it } from 'vitest';
import { sessionPlace } from './sessionPlace';

describe('where a session is kept', () => {
  it('keeps unattended screens logged in across restarts, and staff only per tab', () => {
    expect(sessionPlace('monitor')).toBe('local');
    expect(sessionPlace('totem')).toBe('local');
    for (const role of ['super_admin', 'admin_viewer', 'reception', 'kidibar'] as const) {
      expect(sessionPlace(role)).toBe('session');
    }
  });
});
