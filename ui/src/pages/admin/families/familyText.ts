import type { ConsentStatus, Family } from '../../../api/types';
import { locale, type MessageKey } from '../../../i18n/index.svelte';
import { branchZone } from '../../../lib/branch.svelte';

// How a family's visits and consent read in the admin's list and dialog.

/** The last visit as a date in the branch's zone ("—" for none yet). */
export function lastVisit(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeZone: branchZone() }).format(new Date(iso));
}

export type ConsentLevel = 'current' | 'outdated' | 'missing' | 'none';

/**
 * Where the family stands with the branch's consent: the current version accepted, an older one
 * (asked again at the next check-in), none yet, or nothing to accept (no version published).
 */
export function consentLevel(c: ConsentStatus | undefined): ConsentLevel {
  if (!c || c.current_version == null) return 'none';
  if (c.current && c.accepted_version != null) return 'current';
  return c.accepted_version != null ? 'outdated' : 'missing';
}

export const CONSENT_TEXT: Record<ConsentLevel, MessageKey> = {
  current: 'families.consent.current',
  outdated: 'families.consent.outdated',
  missing: 'families.consent.missing',
  none: 'families.consent.none',
};

/** The file an export is saved as: `kidyboard-familia-<guardian>-<date>.json`. */
export function exportFilename(f: Family, day: string): string {
  const who = (f.guardians[0]?.name ?? f.id)
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return `kidyboard-familia-${who || f.id}-${day}.json`;
}
