import { describe, expect, it } from 'vitest';
import { en } from './en';
import { es } from './es';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('dictionaries', () => {
  it('have the same keys', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(es).sort());
  });

  it('use the same placeholders in both languages', () => {
    for (const key of Object.keys(es) as (keyof typeof es)[]) {
      expect(placeholders(en[key]), key).toEqual(placeholders(es[key]));
    }
  });

  it('give a singular («.one») only to a count’s text, spelling the one out and keeping its other placeholders', () => {
    for (const dictionary of [es, en] as Record<string, string>[]) {
      for (const key of Object.keys(dictionary).filter((k) => k.endsWith('.one'))) {
        const base = dictionary[key.slice(0, -'.one'.length)] ?? '';
        expect(base, key).toContain('{n}');
        expect(placeholders(dictionary[key] ?? ''), key).toEqual(placeholders(base).filter((p) => p !== 'n'));
      }
    }
  });

  it('never leave a text empty', () => {
    for (const [key, text] of [...Object.entries(es), ...Object.entries(en)]) expect(text.trim(), key).not.toBe('');
  });
});
