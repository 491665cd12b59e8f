import { describe, expect, it } from 'vitest';
import type { Family, Package } from '../api/types';
import { ageOn, blamedChildRow, checkedInNames, childRefs, consentMissing, formatPhone, fullPhone, packagePlaces, phoneDigits, searchable } from './checkin';

describe('phones', () => {
  it.each([
    ['55 1234 5678', '5512345678'],
    ['+52 (33) 8765-4321', '3387654321'],
    ['525512345678', '5512345678'],
    ['1234', '1234'],
  ])('%s → digits %s', (typed, digits) => expect(phoneDigits(typed)).toBe(digits));

  it.each([
    ['5512345678', '55 1234 5678'],
    ['3387654321', '33 8765 4321'],
    ['6641234567', '664 123 4567'],
    ['+52 664 123 4567', '664 123 4567'],
    ['12345', '12345'],
  ])('%s is said %s', (phone, said) => expect(formatPhone(phone)).toBe(said));

  it('a full phone is ten digits, with or without +52', () => {
    expect(fullPhone('55 1234 5678')).toBe(true);
    expect(fullPhone('+52 55 1234 5678')).toBe(true);
    expect(fullPhone('55 1234 567')).toBe(false);
  });
});

describe('searchable', () => {
  it.each([
    ['', false],
    ['5', false],
    ['55', false],
    ['55 1', true],
    ['a', false],
    ['an', true],
    ['Ñu', true],
    ['  ', false],
  ])('«%s» → %s', (q, yes) => expect(searchable(q)).toBe(yes));
});

describe('packagePlaces', () => {
  const pkg = (items: Package['items']) => ({ items }) as Package;
  it('counts the play-time units only', () => {
    expect(packagePlaces(pkg([{ service_id: 's', quantity: 10 }, { product_id: 'p', quantity: 10 }]))).toBe(10);
    expect(packagePlaces(pkg([{ product_id: 'p', quantity: 3 }]))).toBe(0);
  });
});

describe('ageOn', () => {
  it.each([
    ['2018-12-14', '2026-12-06', 7],
    ['2018-12-06', '2026-12-06', 8],
    ['2021-03-02', '2026-12-06', 5],
    [null, '2026-12-06', null],
    ['2030-01-01', '2026-12-06', null],
  ])('born %s, on %s: %s', (birth, today, age) => expect(ageOn(birth, today)).toBe(age));
});

describe('childRefs', () => {
  const kids = [
    { child_id: 'a', name: 'Sofía' },
    { child_id: null, name: ' Lupita ' },
    { child_id: 'b', name: 'Mateo' },
  ];
  it('names a family child by id and a typed one by name, in order', () => {
    expect(childRefs(kids)).toEqual([{ child_id: 'a' }, { name: 'Lupita' }, { child_id: 'b' }]);
  });
  it('puts the birthday child first', () => {
    expect(childRefs(kids, 2)).toEqual([{ child_id: 'b' }, { child_id: 'a' }, { name: 'Lupita' }]);
    expect(childRefs(kids, 9)).toEqual(childRefs(kids));
  });
});

describe('consentMissing', () => {
  const fam = (consent: Family['consent']) => ({ consent }) as Family;
  it('only when the branch has a version the family has not accepted', () => {
    expect(consentMissing(fam({ current: false, current_version: 1 }))).toBe(true);
    expect(consentMissing(fam({ current: true, current_version: 1, accepted_version: 1 }))).toBe(false);
    expect(consentMissing(fam({ current: true, current_version: null }))).toBe(false);
    expect(consentMissing(null)).toBe(false);
  });
});

describe('checkedInNames', () => {
  it('takes the lines’ children, in the order the hub gave their places', () => {
    const sale = { items: [{ children: [{ name: 'Lupita' }, { name: 'Invitado 2' }] }, {}], timers: [{ child_name: 'Invitado 2' }, { child_name: 'Lupita' }] };
    expect(checkedInNames(sale)).toEqual(['Lupita', 'Invitado 2']);
    expect(checkedInNames({ items: [{}], timers: [{ child_name: 'Ana' }] })).toEqual(['Ana']);
  });
});

describe('blamedChildRow', () => {
  it.each([
    ['children[1].name', 1],
    ['items[0].children[0].name', 0],
    ['guardians[0].phone', null],
    [null, null],
  ])('%s → %s', (field, row) => expect(blamedChildRow(field)).toBe(row));
});
