import type { MenuCanvas, MenuDesign, MenuDesignBody, MenuDesignView, MenuPreviewBody, PaperSize, ScreenSize } from '../api/types';

// The menu designer's state rules, apart from the page so they can be tested: which canvases
// exist, how a design follows a change of canvas, what is sent to the hub, and names for copies.

export type CanvasChoice = PaperSize | ScreenSize;

export const PAPER_SIZES: readonly PaperSize[] = ['a4', 'letter', 'tabloid'];
export const SCREEN_SIZES: readonly ScreenSize[] = ['1080p', '4k', 'vertical_1080'];

/** Width × height in canvas units (points for paper, pixels for screens), portrait for paper. */
const SIZES: Record<CanvasChoice, [number, number]> = {
  a4: [595.276, 841.89],
  letter: [612, 792],
  tabloid: [792, 1224],
  '1080p': [1920, 1080],
  '4k': [3840, 2160],
  vertical_1080: [1080, 1920],
};

export function isScreen(canvas: MenuCanvas): boolean {
  return canvas.kind === 'screen';
}

export function canvasSize(canvas: MenuCanvas): [number, number] {
  const [w, h] = SIZES[canvas.size];
  return canvas.kind === 'paper' && canvas.orientation === 'landscape' ? [h, w] : [w, h];
}

export function canvasFor(choice: CanvasChoice, orientation: 'portrait' | 'landscape' = 'portrait'): MenuCanvas {
  return (PAPER_SIZES as readonly string[]).includes(choice)
    ? { kind: 'paper', size: choice as PaperSize, orientation }
    : { kind: 'screen', size: choice as ScreenSize };
}

/** How big one "design unit" looks on a canvas, relative to A4 points (the renderer's rule). */
function unitWeight(canvas: MenuCanvas): number {
  if (canvas.kind === 'paper') return 1;
  const [w, h] = canvasSize(canvas);
  return (Math.min(w, h) / 1080) * 2;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** The design on another canvas, with every length rescaled so it keeps its look (a 1080p
 *  screen has 2 pixels where A4 has 1 point of the same visual weight). */
export function withCanvas(design: MenuDesign, canvas: MenuCanvas): MenuDesign {
  const k = unitWeight(canvas) / unitWeight(design.canvas);
  const s = (n: number) => round1(n * k);
  const columns = canvas.kind === 'screen' && canvas.size === 'vertical_1080' ? 1 : design.columns;
  return {
    ...design,
    canvas,
    columns,
    margin: s(design.margin),
    gutter: s(design.gutter),
    picture_size: s(design.picture_size),
    logo_height: s(design.logo_height),
    fonts: {
      title: s(design.fonts.title),
      section: s(design.fonts.section),
      item_name: s(design.fonts.item_name),
      description: s(design.fonts.description),
      price: s(design.fonts.price),
    },
    page_numbers: canvas.kind === 'paper' ? design.page_numbers : false,
  };
}

/** What the editor holds while someone works on a design. */
export interface Draft {
  name: string;
  title: string;
  design: MenuDesign;
  logo_image: string;
  background_image: string;
  hidden_sections: string[];
  on_totem: boolean;
}

export function draftOf(view: MenuDesignView): Draft {
  return {
    name: view.name,
    title: view.title,
    // A JSON copy: the view may be a reactive proxy, which structuredClone refuses.
    design: JSON.parse(JSON.stringify(view.design)) as MenuDesign,
    logo_image: view.logo_image ?? '',
    background_image: view.background_image ?? '',
    hidden_sections: [...view.hidden_sections],
    on_totem: view.on_totem,
  };
}

/** The body to save a draft (empty picture references clear them on the hub). */
export function bodyOf(draft: Draft): MenuDesignBody {
  return {
    name: draft.name.trim(),
    title: draft.title.trim(),
    design: draft.design,
    logo_image: draft.logo_image,
    background_image: draft.background_image,
    hidden_sections: draft.hidden_sections,
    on_totem: draft.on_totem,
  };
}

export function previewBodyOf(draft: Draft, slide: number, width: number): MenuPreviewBody {
  return {
    design: draft.design,
    title: draft.title.trim() || 'Menú',
    logo_image: draft.logo_image || null,
    background_image: draft.background_image || null,
    hidden_sections: draft.hidden_sections,
    slide,
    w: isScreen(draft.design.canvas) ? null : Math.round(Math.min(2400, Math.max(100, width))),
  };
}

export function isDirty(draft: Draft, saved: MenuDesignView): boolean {
  return JSON.stringify(draft) !== JSON.stringify(draftOf(saved));
}

/** "Pared" → "Pared (copia)", then "Pared (copia 2)"… whichever is still free. */
export function copyName(name: string, taken: readonly string[]): string {
  const base = name.replace(/ \(copia(?: \d+)?\)$/, '');
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? `${base} (copia)` : `${base} (copia ${n})`;
    if (!taken.includes(candidate)) return candidate;
  }
}

/** `base` when no design has that name yet, else its first free copy name. */
export function freeName(base: string, taken: readonly string[]): string {
  return taken.includes(base) ? copyName(base, taken) : base;
}

/** Shows or hides a section (category) of the menu. */
export function toggleSection(hidden: readonly string[], title: string): string[] {
  return hidden.includes(title) ? hidden.filter((h) => h !== title) : [...hidden, title];
}

/** Runs `fn` once calls stop for `ms`: the preview is redrawn when the admin pauses. */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): ((...args: A) => void) & { cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const run = (...args: A) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      fn(...args);
    }, ms);
  };
  run.cancel = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
  return run;
}
