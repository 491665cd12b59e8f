// The first-run (and later) setup of this device. Talks only to the shell's setup commands.
const invoke = (cmd, args) => window.__TAURI_INTERNALS__.invoke(cmd, args);
const form = document.getElementById('setup');
const $ = (id) => document.getElementById(id);
const message = (e) => e?.message ?? String(e);
let kioskTouched = false;

function showMode() {
  const remote = form.elements.mode.value === 'remote';
  $('host-fields').hidden = remote;
  $('remote-fields').hidden = !remote;
  $('host-fields').style.display = remote ? 'none' : 'flex';
  $('remote-fields').style.display = remote ? 'flex' : 'none';
}

function showParts() {
  for (const part of ['audio', 'vision']) {
    const on = form.elements[part].checked;
    $(`${part}-fields`).hidden = !on;
    $(`${part}-fields`).style.display = on ? 'flex' : 'none';
  }
}

/** The part's account as the shell expects it, or null when the part is off. */
function partForm(part) {
  const f = form.elements;
  if (!f[part].checked) return null;
  return {
    user: f[`${part}_user`].value,
    password: f[`${part}_password`].value,
    source: part === 'vision' ? f.vision_source.value : null,
  };
}

form.addEventListener('change', (ev) => {
  if (ev.target.name === 'mode') showMode();
  if (ev.target.name === 'audio' || ev.target.name === 'vision') showParts();
  if (ev.target.name === 'kiosk') kioskTouched = true;
  // Monitors and totems are kiosks unless someone decided otherwise.
  if (ev.target.name === 'role' && !kioskTouched) {
    form.elements.kiosk.checked = ['monitor', 'totem'].includes(ev.target.value);
  }
});

$('test').addEventListener('click', async () => {
  const out = $('test-result');
  out.className = '';
  out.value = 'Probando…';
  try {
    const url = await invoke('test_hub', { url: form.elements.url.value });
    out.className = 'ok';
    out.value = `Conectado con ${url}`;
  } catch (e) {
    out.className = 'error';
    out.value = message(e);
  }
});

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = form.elements;
  $('error').value = '';
  if (f.admin_password.value !== f.admin_password2.value) {
    $('error').value = 'Las contraseñas no coinciden';
    return;
  }
  const button = form.querySelector('[type=submit]');
  button.disabled = true;
  try {
    await invoke('save_setup', {
      form: {
        role: f.role.value,
        mode: f.mode.value,
        listen: f.listen.value,
        url: f.url.value,
        admin_password: f.admin_password.value,
        demo: f.demo.checked,
        kiosk: kioskTouched ? f.kiosk.checked : null,
        autostart: f.autostart.checked,
        audio: partForm('audio'),
        vision: partForm('vision'),
      },
    });
  } catch (e) {
    $('error').value = message(e);
    button.disabled = false;
  }
});

(async () => {
  const state = await invoke('setup_state');
  $('data-dir').textContent = state.data_dir;
  const f = form.elements;
  // A first run may come with a suggested hub (the shell was started beside one).
  f.mode.value = state.mode;
  f.url.value = state.url;
  if (state.configured) {
    document.querySelector('h1').textContent = 'Cambiar la configuración de este equipo';
    $('password-hint').textContent = 'Déjala en blanco para conservar la actual.';
    if (state.role) f.role.value = state.role;
    f.mode.value = state.mode;
    f.listen.value = state.listen;
    f.url.value = state.url;
    f.autostart.checked = state.autostart;
    if (state.kiosk !== null) {
      f.kiosk.checked = state.kiosk;
      kioskTouched = true;
    } else {
      f.kiosk.checked = ['monitor', 'totem'].includes(state.role);
    }
    if (state.audio) {
      f.audio.checked = true;
      f.audio_user.value = state.audio.user;
      f.audio_password.placeholder = 'sin cambios';
    }
    if (state.vision) {
      f.vision.checked = true;
      f.vision_user.value = state.vision.user;
      f.vision_password.placeholder = 'sin cambios';
      f.vision_source.value = state.vision.source ?? 'camera';
    }
  }
  showMode();
  showParts();
  document.body.dataset.ready = 'true';
})();
