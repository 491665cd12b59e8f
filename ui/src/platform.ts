// What the page needs from the device beyond the browser basics. In a browser these are the web
// implementations; inside the Kidyboard desktop shell (Tauri) saving and receipts go through the
// shell's commands (crates/desktop/src/commands.rs). This is the only module allowed to import
// @tauri-apps/*, so the rest of the UI runs the same in a plain browser.

/** The top (and closing line) of a printed receipt, already in the branch's words and time zone. */
export interface ReceiptHeader {
  store_name: string;
  address?: string;
  printed_at?: string;
  /** The business's legal name, RFC and phone, printed under the store's name when set. */
  legal_name?: string;
  rfc?: string;
  phone?: string;
  /** The branch's closing line; absent: the printer's own thanks. */
  footer?: string | null;
}

export interface Platform {
  /** Offer a file to the user (download in a browser, a save dialog on the desktop). */
  saveFile(name: string, blob: Blob): Promise<void>;
  /** Print a self-contained HTML document (receipts, day-closing report). */
  print(html: string): Promise<void>;
  /** Say something over the speakers (a chime, then the text), e.g. a timer that ran out. */
  announce(text: string, lang: string): Promise<void>;
  /**
   * Print a sale on the device's receipt printer (ESC/POS). Resolves false where there is none
   * (a browser), so the caller prints the HTML receipt instead; rejects when the printer failed.
   */
  printReceipt(sale: object, header: ReceiptHeader): Promise<boolean>;
  /**
   * Send bytes the hub already laid out (`GET /sales/{id}/receipt?format=escpos`, a reprint marked
   * COPIA) to the receipt printer. Resolves false where there is none (a browser); rejects when
   * the printer, or the shell, failed, so the caller shows the text copy instead.
   */
  printEscpos(bytes: Uint8Array): Promise<boolean>;
}

let audio: AudioContext | null = null;

/** Two rising notes: heard over the noise of a play area without being alarming. */
function chime(): void {
  audio ??= new AudioContext();
  audio.resume().catch(() => {});
  const start = audio.currentTime + 0.05;
  [659.25, 880].forEach((frequency, i) => {
    const ctx = audio as AudioContext;
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'sine';
    osc.frequency.value = frequency;
    const t0 = start + i * 0.28;
    gain.gain.setValueAtTime(0.0001, t0);
    gain.gain.exponentialRampToValueAtTime(0.35, t0 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.6);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t0);
    osc.stop(t0 + 0.65);
  });
}

const web: Platform = {
  async saveFile(name, blob) {
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    // Give the download a moment to start before the URL is freed.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  },
  async print(html) {
    const frame = document.createElement('iframe');
    frame.style.cssText = 'position:fixed;width:0;height:0;border:0;visibility:hidden';
    frame.srcdoc = html;
    document.body.append(frame);
    await new Promise<void>((resolve) => frame.addEventListener('load', () => resolve(), { once: true }));
    frame.contentWindow?.focus();
    frame.contentWindow?.print();
    setTimeout(() => frame.remove(), 60_000);
  },
  async announce(text, lang) {
    // A browser may refuse sound until someone has touched the page; the flashing tile still
    // tells the room, so a refusal is not an error.
    try {
      chime();
    } catch {
      // no audio device
    }
    if (!('speechSynthesis' in globalThis)) return;
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = lang;
    utterance.rate = 0.95;
    setTimeout(() => speechSynthesis.speak(utterance), 900);
  },
  async printReceipt() {
    return false;
  },
  async printEscpos() {
    return false;
  },
};

/** Whether the page runs inside the Kidyboard desktop shell. */
export const inShell = typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;

async function invoke<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  // Loaded only inside the shell, so the browser bundle does not carry it.
  const core = await import('@tauri-apps/api/core');
  return core.invoke<T>(cmd, args);
}

/** The blob in base64: a page served over http reaches the shell with JSON only. */
function base64(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsDataURL(blob);
  });
}

const shell: Platform = {
  ...web,
  async saveFile(name, blob) {
    await invoke<string | null>('save_file', { name, data: await base64(blob) });
  },
  async printReceipt(sale, header) {
    await invoke('print_receipt', { sale, header });
    return true;
  },
  async printEscpos(bytes) {
    // The shell's raw-bytes command (`print_escpos`, base64 like save_file's data); a shell
    // without it rejects, and the page falls back to the printable text copy.
    await invoke('print_escpos', { data: await base64(new Blob([bytes as BlobPart])) });
    return true;
  },
};

export const platform: Platform = inShell ? shell : web;
