import type { Timer } from '../api/types';

// Reaching a child's adult from the desk: a message for the speakers (the hub reads it out) and a
// WhatsApp link to the guardian's phone. The speakers use the child's public name (first name and
// initial, as the wall shows it): a room full of strangers hears it.

/** The hub reads announcements of 1–200 characters. */
export const ANNOUNCEMENT_MAX = 200;

/** What the speakers call the child. */
export function spokenName(timer: Pick<Timer, 'child_name' | 'public_name'>): string {
  return timer.public_name?.trim() || timer.child_name;
}

/** A Mexican number as WhatsApp wants it (52 + ten digits), or null if it is not one. */
export function whatsappNumber(phone: string | null | undefined): string | null {
  const digits = (phone ?? '').replace(/\D/g, '');
  if (digits.length === 10) return `52${digits}`;
  if (digits.length === 12 && digits.startsWith('52')) return digits;
  // A mobile written the old way, +52 1 and ten digits.
  if (digits.length === 13 && digits.startsWith('521')) return `52${digits.slice(3)}`;
  return null;
}

/** https://wa.me/52XXXXXXXXXX?text=… for the phone, or null when the phone cannot be written to. */
export function whatsappLink(phone: string | null | undefined, text: string): string | null {
  const number = whatsappNumber(phone);
  return number ? `https://wa.me/${number}?text=${encodeURIComponent(text)}` : null;
}
