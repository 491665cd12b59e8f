import { describe, expect, it } from 'vitest';
import { afterLogin, canOpen, homePage, resolvePath } from './access';

describe('access', () => {
  it('lands each role on its own page', () => {
    expect(homePage('super_admin')).toBe('admin');
    expect(homePage('admin_viewer')).toBe('admin');
    expect(homePage('reception')).toBe('reception');
    expect(homePage('kidibar')).toBe('kidibar');
    expect(homePage('monitor')).toBe('monitor');
    expect(homePage('totem')).toBe('totem');
  });

  it('keeps kidibar out of reception and admin', () => {
    expect(canOpen('kidibar', 'reception')).toBe(false);
    expect(resolvePath('/reception', 'kidibar')).toEqual({ page: 'kidibar', redirect: '/kidibar' });
    expect(resolvePath('/admin/products', 'kidibar').redirect).toBe('/kidibar');
  });

  it('sends anyone without a session to /login', () => {
    expect(resolvePath('/monitor', null)).toEqual({ page: 'login', redirect: '/login' });
    expect(resolvePath('/login', null)).toEqual({ page: 'login', redirect: null });
  });

  it('sends a logged-in user away from /login and /', () => {
    expect(resolvePath('/login', 'reception').redirect).toBe('/reception');
    expect(resolvePath('/', 'totem').redirect).toBe('/totem');
  });

  it('keeps sub-paths of an allowed page', () => {
    expect(resolvePath('/admin/users', 'admin_viewer')).toEqual({ page: 'admin', redirect: null });
  });
});

describe('afterLogin', () => {
  it('returns to the page the device was opened on when the role may see it', () => {
    expect(afterLogin('reception', '/monitor')).toBe('/monitor');
    expect(afterLogin('super_admin', '/reception/closing')).toBe('/reception/closing');
  });

  it('goes home otherwise', () => {
    expect(afterLogin('kidibar', '/reception')).toBe('/kidibar');
    expect(afterLogin('monitor', null)).toBe('/monitor');
    expect(afterLogin('totem', '/login')).toBe('/totem');
  });
});
