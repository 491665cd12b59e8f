import { describe, expect, it } from 'vitest';
import { spokenName, whatsappLink, whatsappNumber } from './contact';

describe('whatsappNumber', () => {
  it('writes a Mexican number as 52 and ten digits', () => {
    expect(whatsappNumber('5512345678')).toBe('525512345678');
    expect(whatsappNumber('55 1234 5678')).toBe('525512345678');
    expect(whatsappNumber('+52 55 1234-5678')).toBe('525512345678');
    expect(whatsappNumber('+52 1 55 1234 5678')).toBe('525512345678');
  });
  it('refuses what is not a number to write to', () => {
    expect(whatsappNumber('')).toBeNull();
    expect(whatsappNumber(null)).toBeNull();
    expect(whatsappNumber('12345')).toBeNull();
  });
});

describe('whatsappLink', () => {
  it('carries the message URL-encoded', () => {
    expect(whatsappLink('5512345678', 'Hola, ¿pasa por Sofía? 15:30 & listo')).toBe(
      'https://wa.me/525512345678?text=Hola%2C%20%C2%BFpasa%20por%20Sof%C3%ADa%3F%2015%3A30%20%26%20listo',
    );
  });
  it('is null without a phone', () => {
    expect(whatsappLink('', 'Hola')).toBeNull();
  });
});

describe('spokenName', () => {
  it('uses the public name, the child’s name when there is none', () => {
    expect(spokenName({ child_name: 'Sofía López', public_name: 'Sofía L.' })).toBe('Sofía L.');
    expect(spokenName({ child_name: 'Sofía López', public_name: '' })).toBe('Sofía López');
    expect(spokenName({ child_name: 'Sofía López' })).toBe('Sofía López');
  });
});
