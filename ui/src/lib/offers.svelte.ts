import { live } from '../api/live.svelte';
import { packages as packagesApi, services as servicesApi } from '../api/endpoints';
import type { Package, Service } from '../api/types';

// What reception sells for play time: the active services and packages, reloaded when the
// catalogue changes so a price edited in admin is the price charged.

export class Offers {
  services = $state<Service[]>([]);
  packages = $state<Package[]>([]);
  loaded = $state(false);
  error = $state<unknown>(null);

  follow(): () => void {
    void this.reload();
    return live.on((message) => {
      if (message.type === 'catalog.changed' && (message.entity === 'service' || message.entity === 'package')) void this.reload();
      else if (message.type === 'hello' || message.type === 'resync') void this.reload();
    });
  }

  async reload(): Promise<void> {
    try {
      const [s, p] = await Promise.all([servicesApi.list(), packagesApi.list()]);
      this.services = s.items.filter((x) => x.active);
      this.packages = p.items.filter((x) => x.active);
      this.loaded = true;
      this.error = null;
    } catch (err) {
      this.error = err;
    }
  }
}

/** A package with play time in it starts a timer, so it needs a child like a service does. */
export function packageNeedsChild(pkg: Package): boolean {
  return pkg.items.some((item) => !!item.service_id);
}
