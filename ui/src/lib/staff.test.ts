import { describe, expect, it } from 'vitest';
import { cleanPin, nameOf, parseKnownUsers, pinReady, pressPin, RECENT_MAX, rememberUser, type KnownUser } from './staff';

const u = (n: number, role: KnownUser['role'] = 'reception'): KnownUser => ({ id: `id${n}`, username: `user${n}`, display_name: `User ${n}`, role });

describe('recent users', () => {
  it('puts the last one first, once, and keeps a desk’s worth', () => {
    let list: KnownUser[] = [];
    for (let i = 0; i < RECENT_MAX + 2; i++) list = rememberUser(list, u(i));
    expect(list).toHaveLength(RECENT_MAX);
    expect(list[0]?.username).toBe(`user${RECENT_MAX + 1}`);
    list = rememberUser(list, u(4, 'kidibar'));
    expect(list.map((x) => x.username).filter((n) => n === 'user4')).toHaveLength(1);
    expect(list[0]).toEqual(u(4, 'kidibar'));
  });

  it('keeps no more than the identity (nothing like has_pin or tokens)', () => {
    const list = rememberUser([], { ...u(1), active: true, created_at: 'x', has_pin: true });
    expect(Object.keys(list[0] ?? {}).sort()).toEqual(['display_name', 'id', 'role', 'username']);
  });

  it('tolerates a damaged stored list', () => {
    expect(parseKnownUsers(null)).toEqual([]);
    expect(parseKnownUsers('{')).toEqual([]);
    expect(parseKnownUsers('{"a":1}')).toEqual([]);
    expect(parseKnownUsers(JSON.stringify([u(1), 3, null, { username: 'x' }]))).toEqual([u(1)]);
  });

  it('names a user by id when the device knows them', () => {
    expect(nameOf('id1', [u(1)])).toBe('User 1');
    expect(nameOf('id1', [{ ...u(1), display_name: '' }])).toBe('user1');
    expect(nameOf('nobody', [u(1)])).toBeNull();
    expect(nameOf(null, [u(1)])).toBeNull();
    expect(nameOf('sup', [u(1)], { sup: 'admin' })).toBe('admin');
  });
});

describe('PIN pad', () => {
  it('takes digits up to six, a backspace and a clear', () => {
    let pin = '';
    for (const k of ['2', '4', 'x', '6', '8', '1', '3', '5']) pin = pressPin(pin, k);
    expect(pin).toBe('246813');
    expect(pressPin(pin, 'back')).toBe('24681');
    expect(pressPin(pin, 'clear')).toBe('');
  });

  it('is ready with 4 to 6 digits', () => {
    expect(pinReady('246')).toBe(false);
    expect(pinReady('2468')).toBe(true);
    expect(pinReady('246813')).toBe(true);
    expect(pinReady('24a8')).toBe(false);
    expect(cleanPin(' 24-68 135')).toBe('246813');
  });
});
