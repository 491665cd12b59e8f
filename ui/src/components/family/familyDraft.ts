import type { Family, FamilyInput } from '../../api/types';

// A family as its editor holds it (every field a plain string, rows the clerk may leave blank),
// and the body the hub reads. Rows left wholly blank are not sent, so the hub's index in a field
// such as "guardians[1].phone" need not be the row's on screen: `rowOfField` maps it back.

export interface GuardianDraft { name: string; phone: string; email: string }
/** `id` is the child's record in the family (null: a child added here). */
export interface ChildDraft { id: string | null; name: string; birth_date: string; notes: string }
export interface AdultDraft { name: string; phone: string; relation: string }

export interface FamilyDraft {
  guardians: GuardianDraft[];
  children: ChildDraft[];
  pickup_adults: AdultDraft[];
  notes: string;
}

export type FamilyList = 'guardians' | 'children' | 'pickup_adults';

export const newGuardian = (): GuardianDraft => ({ name: '', phone: '', email: '' });
export const newChild = (): ChildDraft => ({ id: null, name: '', birth_date: '', notes: '' });
export const newAdult = (): AdultDraft => ({ name: '', phone: '', relation: '' });

/** A new family: one guardian and one child to fill in. */
export function emptyFamily(): FamilyDraft {
  return { guardians: [newGuardian()], children: [newChild()], pickup_adults: [], notes: '' };
}

/** The family's record to edit: its active children only (removed ones stay removed). */
export function draftOf(f: Family): FamilyDraft {
  return {
    guardians: f.guardians.map((g) => ({ name: g.name, phone: g.phone, email: g.email ?? '' })),
    children: f.children
      .filter((c) => c.active)
      .map((c) => ({ id: c.id, name: c.name, birth_date: c.birth_date ?? '', notes: c.notes ?? '' })),
    pickup_adults: f.pickup_adults.map((a) => ({ name: a.name, phone: a.phone ?? '', relation: a.relation ?? '' })),
    notes: f.notes ?? '',
  };
}

const blank = (row: object) => Object.entries(row).every(([k, v]) => k === 'id' || v === null || String(v).trim() === '');

/** Which draft row each sent row came from, per list. */
export type RowMap = Record<FamilyList, number[]>;

/** The hub's body (whole lists, text trimmed, blank rows left out) and where each sent row was. */
export function familyInput(d: FamilyDraft): { body: FamilyInput; rows: RowMap } {
  const kept = <T extends object>(list: T[]) => list.map((row, i) => ({ row, i })).filter(({ row }) => !blank(row));
  const guardians = kept(d.guardians);
  // A child already in the family is sent even with its name cleared: the hub then says the name
  // is missing, instead of the child quietly leaving the family.
  const children = d.children.map((row, i) => ({ row, i })).filter(({ row }) => row.id !== null || !blank(row));
  const adults = kept(d.pickup_adults);
  return {
    body: {
      guardians: guardians.map(({ row }) => ({ name: row.name.trim(), phone: row.phone.trim(), email: row.email.trim() })),
      children: children.map(({ row }) => ({
        ...(row.id ? { id: row.id } : {}),
        name: row.name.trim(),
        birth_date: row.birth_date || null,
        notes: row.notes.trim(),
      })),
      pickup_adults: adults.map(({ row }) => ({ name: row.name.trim(), phone: row.phone.trim(), relation: row.relation.trim() })),
      notes: d.notes.trim(),
    },
    rows: { guardians: guardians.map((x) => x.i), children: children.map((x) => x.i), pickup_adults: adults.map((x) => x.i) },
  };
}

/**
 * The hub's blamed field in the draft's own rows: "guardians[0].phone" sent from the second row
 * on screen becomes "guardians[1].phone". A field of no row ("guardians", "notes") stays as it is.
 */
export function rowOfField(field: string | null, rows: RowMap | null): string | null {
  if (!field || !rows) return field;
  const m = /^(guardians|children|pickup_adults)\[(\d+)\](.*)$/.exec(field);
  if (!m) return field;
  const list = m[1] as FamilyList;
  const onScreen = rows[list][Number(m[2])];
  return onScreen === undefined ? field : `${list}[${onScreen}]${m[3]}`;
}

/** Ten digits as a person reads them: "55 1234 5678" (anything else as it is). */
export function formatPhone(phone: string | null | undefined): string {
  const digits = (phone ?? '').replace(/\D/g, '');
  return digits.length === 10 ? `${digits.slice(0, 2)} ${digits.slice(2, 6)} ${digits.slice(6)}` : (phone ?? '');
}

/** Does the editor have an input (or a list heading) for this field of the hub's? */
export function isFamilyField(field: string | null): boolean {
  return field !== null && /^((guardians|children|pickup_adults)(\[\d+\]\.\w+)?|notes)$/.test(field);
}
