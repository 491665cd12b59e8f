import { describe, expect, it } from 'vitest';
import type { Family } from '../../api/types';
import { draftOf, emptyFamily, familyInput, formatPhone, isFamilyField, rowOfField } from './familyDraft';

const family: Family = {
  id: 'F1', branch_id: 'B1', created_at: '', updated_at: '', notes: 'Paga con tarjeta',
  guardians: [{ name: 'Ana López', phone: '5512345678', email: '' }],
  children: [
    { id: 'C1', name: 'Sofía López', birth_date: '2018-12-14', notes: 'Alergia al cacahuate', active: true },
    { id: 'C2', name: 'Bruno López', birth_date: null, notes: '', active: false },
  ],
  pickup_adults: [{ name: 'Rosa Díaz', phone: '5587654321', relation: 'Abuela' }],
};

describe('familyDraft', () => {
  it('edits the active children only, every field as text', () => {
    const d = draftOf(family);
    expect(d.children).toEqual([{ id: 'C1', name: 'Sofía López', birth_date: '2018-12-14', notes: 'Alergia al cacahuate' }]);
    expect(d.pickup_adults).toEqual([{ name: 'Rosa Díaz', phone: '5587654321', relation: 'Abuela' }]);
    expect(d.notes).toBe('Paga con tarjeta');
  });

  it('sends whole lists, trimmed, keeping each known child’s id and leaving blank rows out', () => {
    const d = draftOf(family);
    d.children.push({ id: null, name: ' Leo ', birth_date: '', notes: '' }, { id: null, name: '', birth_date: '', notes: '' });
    d.pickup_adults.unshift({ name: '', phone: '', relation: '' });
    const { body, rows } = familyInput(d);
    expect(body.children).toEqual([
      { id: 'C1', name: 'Sofía López', birth_date: '2018-12-14', notes: 'Alergia al cacahuate' },
      { name: 'Leo', birth_date: null, notes: '' },
    ]);
    expect(body.pickup_adults).toHaveLength(1);
    expect(rows.pickup_adults).toEqual([1]);
  });

  it('sends a known child with its name cleared, so the hub can say the name is missing', () => {
    const d = draftOf(family);
    d.children[0]!.name = '';
    d.children[0]!.birth_date = '';
    d.children[0]!.notes = '';
    expect(familyInput(d).body.children).toEqual([{ id: 'C1', name: '', birth_date: null, notes: '' }]);
  });

  it('points the hub’s field at the row on screen', () => {
    const d = emptyFamily();
    d.guardians.unshift({ name: '', phone: '', email: '' });
    d.guardians[1] = { name: 'Ana', phone: '123', email: '' };
    const { rows } = familyInput(d);
    expect(rowOfField('guardians[0].phone', rows)).toBe('guardians[1].phone');
    expect(rowOfField('guardians', rows)).toBe('guardians');
    expect(rowOfField('notes', rows)).toBe('notes');
    expect(rowOfField('children[5].name', rows)).toBe('children[5].name');
    expect(rowOfField(null, rows)).toBeNull();
  });

  it('writes ten digits as they are read', () => {
    expect(formatPhone('5512345678')).toBe('55 1234 5678');
    expect(formatPhone('')).toBe('');
    expect(formatPhone('123')).toBe('123');
  });

  it('knows which of the hub’s fields the editor shows', () => {
    expect(isFamilyField('guardians[0].phone')).toBe(true);
    expect(isFamilyField('guardians')).toBe(true);
    expect(isFamilyField('notes')).toBe(true);
    expect(isFamilyField('reason')).toBe(false);
    expect(isFamilyField(null)).toBe(false);
  });
});
