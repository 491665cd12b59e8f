import { describe, expect, it } from 'vitest';
import type { Family } from '../../../api/types';
import { consentLevel, exportFilename } from './familyText';

describe('familyText', () => {
  it('says where a family stands with the consent', () => {
    expect(consentLevel({ current_version: 2, accepted_version: 2, current: true })).toBe('current');
    expect(consentLevel({ current_version: 2, accepted_version: 1, current: false })).toBe('outdated');
    expect(consentLevel({ current_version: 2, accepted_version: null, current: false })).toBe('missing');
    expect(consentLevel({ current_version: null, current: true })).toBe('none');
    expect(consentLevel(undefined)).toBe('none');
  });

  it('names an export after the guardian, without accents', () => {
    const f = { id: 'F1', guardians: [{ name: 'María Hernández', phone: '6641234567' }] } as Family;
    expect(exportFilename(f, '2026-12-06')).toBe('kidyboard-familia-maria-hernandez-2026-12-06.json');
    expect(exportFilename({ ...f, guardians: [] }, '2026-12-06')).toBe('kidyboard-familia-f1-2026-12-06.json');
  });
});
