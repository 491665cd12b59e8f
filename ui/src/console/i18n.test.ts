import { describe, expect, it } from 'vitest';
import { change } from './lib/change';
import { ago, changeText, deviceName, formatPercent, waitWords } from './i18n';

describe('console words', () => {
  it('says how long ago', () => {
    const now = Date.parse('2026-12-06T12:00:00Z');
    expect(ago(null, now)).toBe('nunca');
    expect(ago('2026-12-06T11:59:30Z', now)).toBe('hace menos de 1 min');
    expect(ago('2026-12-06T11:48:00Z', now)).toBe('hace 12 min');
    expect(ago('2026-12-06T09:00:00Z', now)).toBe('hace 3 h');
    expect(ago('2026-12-05T09:00:00Z', now)).toBe('hace 1 día');
  });
  it('words a wait', () => {
    expect(waitWords(45)).toBe('45 segundos');
    expect(waitWords(61)).toBe('2 minutos');
  });
  it('names a device from its user agent', () => {
    expect(deviceName('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36')).toBe('Chrome en Linux');
    expect(deviceName('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1')).toBe('Safari en iPhone/iPad');
    expect(deviceName('')).toBe('Equipo desconocido');
  });
  it('words a change against the previous period', () => {
    expect(changeText(change(125, 100))).toBe('▲ 25.0 %');
    expect(changeText(change(97, 100))).toBe('▼ 3.0 %');
    expect(changeText(change(40, 30, { points: true }), true)).toBe('▲ 10.0 pts');
    expect(changeText(change(5, 0))).toBe('sin periodo anterior');
    expect(changeText(change(100, 100))).toBe('= 0 %');
    expect(formatPercent(null)).toBe('—');
    expect(formatPercent(42.36)).toBe('42.4 %');
  });
});
