import { live } from '../api/live.svelte';
import { menus } from '../api/endpoints';
import type { TotemMenu } from '../api/types';
import { menuChanged, type RenderedMenu } from './menuSlides';

// The totem's menu as drawn by the hub: slide images held in memory as blob URLs, reloaded when
// the live feed says the catalogue or a design changed. See menuSlides.ts for why slides are
// swapped all at once and kept through outages.

export class TotemMenuPlayer {
  /** The hub's description of the menu being shown, or null to fall back to the built-in one. */
  menu = $state<TotemMenu | null>(null);
  urls = $state<string[]>([]);
  private shown: RenderedMenu | null = null;
  private loading: Promise<void> | null = null;
  private again = false;

  follow(): () => void {
    void this.reload();
    const off = live.on((m) => {
      if (m.type === 'catalog.changed' || m.type === 'menu.changed' || m.type === 'hello' || m.type === 'resync') void this.reload();
    });
    return () => {
      off();
      this.replace([]);
    };
  }

  /** One reload at a time; a change announced during a reload triggers one more. */
  async reload(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = this.load().finally(() => {
      this.loading = null;
      if (this.again) {
        this.again = false;
        void this.reload();
      }
    });
    return this.loading;
  }

  private async load(): Promise<void> {
    let menu: TotemMenu;
    try {
      menu = await menus.totem();
    } catch {
      return; // Offline: keep playing what we have.
    }
    const next: RenderedMenu | null = menu.design ? { designId: menu.design.id, version: menu.version, slides: menu.slides } : null;
    if (!menuChanged(this.shown, next)) return;
    if (!next) {
      this.menu = null;
      this.shown = null;
      this.replace([]);
      return;
    }
    try {
      const blobs = await Promise.all(
        Array.from({ length: next.slides }, (_, i) => menus.slide(next.designId, i, next.version).then((r) => r.blob)),
      );
      this.replace(blobs.map((b) => URL.createObjectURL(b)));
      this.menu = menu;
      this.shown = next;
    } catch {
      // A slide failed: keep the complete old set; the next change or hello retries.
    }
  }

  private replace(urls: string[]) {
    for (const u of this.urls) URL.revokeObjectURL(u);
    this.urls = urls;
  }
}
