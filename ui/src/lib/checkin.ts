import type { ChildRef, Family, FamilyChild, Package } from '../api/types';

// The check-in's rules that need no screen: when a search is worth sending, how a phone is read
// aloud, how many children a package takes, and the children a ticket names, in the order the
// hub gives out its places (a party's first child is the birthday child, the rest «Invitado 2…N»).

/** The digits of a typed phone, without a leading +52 (or 52 before ten digits). */
export function phoneDigits(text: string): string {
  const digits = text.replace(/\D/g, '');
  return digits.length === 12 && digits.startsWith('52') ? digits.slice(2) : digits;
}

/** Mexico City, Guadalajara and Monterrey have two-digit area codes; the rest three. */
const TWO_DIGIT_AREAS = ['55', '56', '33', '81'];

/** A ten-digit phone as people say it: «55 1234 5678», «664 123 4567»; anything else as it is. */
export function formatPhone(phone: string): string {
  const d = phoneDigits(phone);
  if (d.length !== 10) return phone;
  return TWO_DIGIT_AREAS.includes(d.slice(0, 2)) ? `${d.slice(0, 2)} ${d.slice(2, 6)} ${d.slice(6)}` : `${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}`;
}

/** The hub finds a phone from three digits, a name from two letters; less would list everyone. */
export function searchable(query: string): boolean {
  const q = query.trim();
  return q.replace(/\D/g, '').length >= 3 || q.replace(/[^\p{L}]/gu, '').length >= 2;
}

/** A ten-digit phone typed in full: enough to look for the family it may already belong to. */
export function fullPhone(text: string): boolean {
  return phoneDigits(text).length === 10;
}

/** A walk-in is kept as a new family when the clerk says so, or by default once a phone is typed. */
export function savesFamily(choice: boolean | null, phone: string): boolean {
  return choice ?? phoneDigits(phone).length > 0;
}

/** How many children a package checks in: its play-time units (a party of 10 × 2 hours: 10). */
export function packagePlaces(pkg: Package): number {
  return pkg.items.filter((i) => !!i.service_id).reduce((n, i) => n + i.quantity, 0);
}

/** The family's children offered at check-in (removed ones stay on old tickets only). */
export function activeChildren(family: Family): FamilyChild[] {
  return family.children.filter((c) => c.active);
}

/** Whole years from a `YYYY-MM-DD` birth date to `today` (same form); null when unknown. */
export function ageOn(birth: string | null | undefined, today: string): number | null {
  const b = /^(\d{4})-(\d{2}-\d{2})$/.exec(birth ?? '');
  const t = /^(\d{4})-(\d{2}-\d{2})$/.exec(today);
  if (!b?.[1] || !b[2] || !t?.[1] || !t[2]) return null;
  // «MM-DD» strings compare as dates do.
  const years = Number(t[1]) - Number(b[1]) - (t[2] < b[2] ? 1 : 0);
  return years >= 0 ? years : null;
}

/** Whether the family still has to sign the branch's current consent. */
export function consentMissing(family: Family | null): boolean {
  const c = family?.consent;
  return !!c && !c.current && c.current_version != null;
}

/** One child on the ticket: a family's child by id, or a name typed at the desk. */
export type Kid = { child_id: string; name: string } | { child_id: null; name: string };

/** The ticket's children with `first` (the birthday child) leading; ids where the family has one. */
export function childRefs(kids: readonly Kid[], first = 0): ChildRef[] {
  const lead = kids[first];
  const ordered = lead && first > 0 ? [lead, ...kids.filter((_, i) => i !== first)] : [...kids];
  return ordered.map((k) => (k.child_id ? { child_id: k.child_id } : { name: k.name.trim() }));
}

/** The children a sale checked in, as its lines name them (timers as a fallback). */
export function checkedInNames(sale: { items: { children?: { name: string }[] }[]; timers: { child_name: string }[] }): string[] {
  const named = sale.items.flatMap((i) => i.children ?? []).map((c) => c.name);
  return named.length ? named : sale.timers.map((t) => t.child_name);
}

/**
 * The row of the walk-in form a field the hub blamed belongs to: `guardians[0].phone` is the
 * guardian's phone, `children[1].name` the second name typed (POST /families or a sale's
 * `items[0].children[1].name`).
 */
export function blamedChildRow(field: string | null): number | null {
  const m = /children\[(\d+)\]/.exec(field ?? '');
  return m ? Number(m[1]) : null;
}
