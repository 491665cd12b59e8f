// Injected by the Kidyboard shell into every page of its window (the hub's UI and its own).
// - In kiosk mode the pointer disappears after a few idle seconds (touch screens, wall monitors).
// - The device menu (Ctrl+Shift+K, or holding the top-left corner for 4 seconds) asks for the
//   admin password to leave kiosk mode or to change this device's settings.
(() => {
  if (window.__kidyboardDeviceMenu) return;
  window.__kidyboardDeviceMenu = true;
  window.__kidyboardKiosk = __KIOSK__;
  const invoke = (cmd, args) => window.__TAURI_INTERNALS__.invoke(cmd, args);

  let idle;
  const style = document.createElement('style');
  style.textContent = 'html.kb-no-cursor, html.kb-no-cursor * { cursor: none !important; }';
  const showCursor = () => {
    document.documentElement.classList.remove('kb-no-cursor');
    clearTimeout(idle);
    if (window.__kidyboardKiosk) {
      idle = setTimeout(() => document.documentElement.classList.add('kb-no-cursor'), 3000);
    }
  };

  function openMenu() {
    if (document.getElementById('kb-device-menu')) return;
    const kiosk = window.__kidyboardKiosk;
    const box = document.createElement('div');
    box.id = 'kb-device-menu';
    box.setAttribute('role', 'dialog');
    box.style.cssText = 'position:fixed;inset:0;z-index:2147483647;background:rgba(0,0,0,.6);display:flex;align-items:center;justify-content:center;font:18px system-ui,sans-serif';
    box.innerHTML = `<form style="background:#fff;color:#222;border-radius:16px;padding:24px;min-width:320px;display:flex;flex-direction:column;gap:12px">
      <strong style="font-size:22px">Este equipo</strong>
      <label>Contraseña de administración<br><input name="password" type="password" autocomplete="off" style="font-size:20px;min-height:48px;width:100%"></label>
      <output name="error" style="color:#b00020"></output>
      ${kiosk ? '<button name="exit" type="submit" style="min-height:56px;font-size:18px">Salir del modo quiosco</button>' : ''}
      <button name="setup" type="button" style="min-height:56px;font-size:18px">Configurar este equipo</button>
      <button name="cancel" type="button" style="min-height:56px;font-size:18px">Cancelar</button>
    </form>`;
    document.body.append(box);
    const form = box.querySelector('form');
    const password = () => form.elements.password.value;
    const fail = (e) => { form.elements.error.value = e?.message ?? String(e); };
    form.elements.password.focus();
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      if (!kiosk) return;
      invoke('exit_kiosk', { password: password() }).then(() => box.remove(), fail);
    });
    form.elements.setup.addEventListener('click', () => invoke('open_setup', { password: password() }).catch(fail));
    form.elements.cancel.addEventListener('click', () => box.remove());
  }

  let hold;
  const cornerDown = (ev) => {
    const p = ev.touches?.[0] ?? ev;
    if (p.clientX < 64 && p.clientY < 64) hold = setTimeout(openMenu, 4000);
  };
  const cornerUp = () => clearTimeout(hold);

  const start = () => {
    document.head.append(style);
    addEventListener('pointermove', showCursor, { passive: true });
    addEventListener('pointerdown', cornerDown, { passive: true });
    addEventListener('pointerup', cornerUp, { passive: true });
    addEventListener('pointercancel', cornerUp, { passive: true });
    addEventListener('keydown', (ev) => {
      if (ev.ctrlKey && ev.shiftKey && ev.key.toLowerCase() === 'k') openMenu();
    });
    showCursor();
    // The window may have entered or left kiosk mode since this script was attached to it.
    invoke('shell_info').then((info) => {
      window.__kidyboardKiosk = info.kiosk;
      showCursor();
    }, () => {});
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
  else start();
})();
