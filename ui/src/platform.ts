// What the page needs from the device beyond the browser basics. This is the web implementation;
// the desktop shell will add a Tauri one here, and this is the only module allowed to import
// @tauri-apps/* so the rest of the UI runs the same in a plain browser.

export interface Platform {
  /** Offer a file to the user (download in a browser, a save dialog on the desktop). */
  saveFile(name: string, blob: Blob): Promise<void>;
  /** Print a self-contained HTML document (receipts, day-closing report). */
  print(html: string): Promise<void>;
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
};

export const platform: Platform = web;
