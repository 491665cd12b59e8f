import { ApiError } from '../api/client';
import { t } from '../i18n/index.svelte';

// What to show for a failed request: the hub's own message (it is written for people, in Spanish),
// or ours when the hub could not be reached at all.

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'network') return t('error.network');
    return err.message || t('error.unknown');
  }
  if (err instanceof Error) return err.message;
  return t('error.unknown');
}

/** The input the hub blamed, e.g. "price_cents" or "items[0].quantity". */
export function errorField(err: unknown): string | null {
  return err instanceof ApiError ? err.field : null;
}

/** Does the blamed field belong to this input? "items[0].child.name" matches "child.name" too. */
export function fieldMatches(blamed: string | null, name: string): boolean {
  if (!blamed) return false;
  return blamed === name || blamed.endsWith(`.${name}`) || blamed.startsWith(`${name}.`) || blamed.startsWith(`${name}[`);
}
