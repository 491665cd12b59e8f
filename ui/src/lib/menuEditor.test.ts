import { describe, expect, it, vi } from 'vitest';
import type { MenuDesign, MenuDesignView } from '../api/types';
import { bodyOf, canvasFor, canvasSize, copyName, debounce, draftOf, freeName, isDirty, previewBodyOf, toggleSection, withCanvas } from './menuEditor';

// A design as the hub answers it for A4 (the renderer's defaults).
const a4: MenuDesign = {
  name: 'Pared',
  canvas: { kind: 'paper', size: 'a4', orientation: 'portrait' },
  columns: 2,
  margin: 36,
  gutter: 24,
  fonts: { title: 26, section: 16, item_name: 11, description: 8.5, price: 11 },
  colors: { title: '#6a1b9a', section: '#e65100', accent: '#ffb300', item_name: '#212121', description: '#616161', price: '#1b5e20' },
  background: { color: '#fffbf0', image_opacity: 0.25 },
  fields: { picture: true, name: true, description: true, price: true },
  picture_size: 44,
  currency: { symbol: '$', thousands_separator: ',', decimal_separator: '.', cents: 'always', suffix: '' },
  section_per_page: false,
  header_on_every_page: true,
  show_logo: true,
  logo_height: 40,
  page_numbers: true,
  slides: { seconds_per_slide: 8, transition_seconds: 1 },
};

const view = (design: MenuDesign = a4): MenuDesignView => ({
  id: '01HZY0000000000000000000AA',
  branch_id: '01HZY0000000000000000000BB',
  name: design.name,
  title: 'Menú',
  design,
  logo_image: null,
  background_image: null,
  hidden_sections: [],
  on_totem: false,
  revision: 1,
  created_at: '2026-11-22T10:00:00Z',
  updated_at: '2026-11-22T10:00:00Z',
});

describe('menu editor state', () => {
  it('rescales lengths when moving from paper to a screen, as the renderer’s defaults do', () => {
    const hd = withCanvas(a4, canvasFor('1080p'));
    expect(hd.canvas).toEqual({ kind: 'screen', size: '1080p' });
    expect(hd.fonts.title).toBe(52);
    expect(hd.margin).toBe(72);
    expect(hd.page_numbers).toBe(false);
    const back = withCanvas(hd, canvasFor('a4'));
    expect(back.fonts).toEqual(a4.fonts);
  });

  it('keeps a vertical screen to one column and swaps paper sides in landscape', () => {
    expect(withCanvas(a4, canvasFor('vertical_1080')).columns).toBe(1);
    expect(canvasSize(canvasFor('letter', 'landscape'))).toEqual([792, 612]);
  });

  it('notices edits and sends empty picture references to clear them', () => {
    const saved = view();
    const draft = draftOf(saved);
    expect(isDirty(draft, saved)).toBe(false);
    draft.design.colors.price = '#ff0000';
    expect(isDirty(draft, saved)).toBe(true);
    expect(saved.design.colors.price).toBe('#1b5e20');
    const body = bodyOf({ ...draft, name: '  Pared  ' });
    expect(body.name).toBe('Pared');
    expect(body.logo_image).toBe('');
  });

  it('asks previews of paper at a bounded width and of screens at their own size', () => {
    const draft = draftOf(view());
    expect(previewBodyOf(draft, 1, 5000)).toMatchObject({ slide: 1, w: 2400, logo_image: null });
    const screen = draftOf(view(withCanvas(a4, canvasFor('4k'))));
    expect(previewBodyOf(screen, 0, 900).w).toBeNull();
  });

  it('names copies after the original without clashing', () => {
    expect(copyName('Pared', ['Pared'])).toBe('Pared (copia)');
    expect(copyName('Pared (copia)', ['Pared', 'Pared (copia)'])).toBe('Pared (copia 2)');
    expect(freeName('Nuevo diseño', [])).toBe('Nuevo diseño');
    expect(freeName('Nuevo diseño', ['Nuevo diseño'])).toBe('Nuevo diseño (copia)');
  });

  it('toggles sections', () => {
    expect(toggleSection([], 'Bebidas')).toEqual(['Bebidas']);
    expect(toggleSection(['Bebidas', 'Snacks'], 'Bebidas')).toEqual(['Snacks']);
  });

  it('debounces bursts of edits into one redraw', () => {
    vi.useFakeTimers();
    const fn = vi.fn();
    const run = debounce(fn, 300);
    run(1);
    run(2);
    vi.advanceTimersByTime(299);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledExactlyOnceWith(2);
    run(3);
    run.cancel();
    vi.advanceTimersByTime(1000);
    expect(fn).toHaveBeenCalledTimes(1);
    vi.useRealTimers();
  });
});
