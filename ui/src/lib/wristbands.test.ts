import { describe, expect, it } from 'vitest';
import { labelSheet, splitLabels } from './wristbands';

// As the hub answers for two children on 80 mm paper.
const hub = '  Sofía López\n          Código 0268\n          Sale: 06:47\n     ¡Alergia al cacahuate!\n\n  Mateo López\n          Código 0268\n          Sale: 06:47\n';

describe('splitLabels', () => {
  it('gives one label per child, centring kept', () => {
    expect(splitLabels(hub)).toEqual([
      '  Sofía López\n          Código 0268\n          Sale: 06:47\n     ¡Alergia al cacahuate!',
      '  Mateo López\n          Código 0268\n          Sale: 06:47',
    ]);
  });

  it('takes several blank lines, blanks on them or Windows line ends as one gap', () => {
    expect(splitLabels('A\r\n\r\n \n\nB\n')).toEqual(['A', 'B']);
  });

  it('finds nothing in an empty answer', () => {
    expect(splitLabels('\n \n')).toEqual([]);
  });
});

describe('labelSheet', () => {
  it('centres every line across the hub’s columns, a cut line as wide between each two labels, none around them', () => {
    const sheet = labelSheet(splitLabels(hub));
    const cut = '- '.repeat(16).trimEnd(); // the hub's 32 columns: «¡Alergia al cacahuate!» with 5 blanks either side
    expect(sheet.split('\n')).toEqual([
      '          Sofía López', '          Código 0268', '          Sale: 06:47', '     ¡Alergia al cacahuate!', cut,
      '          Mateo López', '          Código 0268', '          Sale: 06:47',
    ]);
  });

  it('a single label has no cut line; a narrow one is centred across 24 columns', () => {
    expect(labelSheet(['  Sofía'])).toBe('         Sofía');
  });
});
