// Whether the browser has a network at all (navigator.onLine), kept current from its events: a
// link to the outside (WhatsApp) is offered only when it could open. The hub is on the local
// network, so this says nothing about the hub; the live feed's status does.

class Online {
  now = $state(typeof navigator === 'undefined' ? true : navigator.onLine);
  private users = 0;
  private readonly update = () => (this.now = navigator.onLine);

  /** Follow the browser's online/offline events while someone needs them; answers the release. */
  use(): () => void {
    if (this.users++ === 0) {
      this.update();
      addEventListener('online', this.update);
      addEventListener('offline', this.update);
    }
    return () => {
      if (--this.users === 0) {
        removeEventListener('online', this.update);
        removeEventListener('offline', this.update);
      }
    };
  }
}

export const online = new Online();
