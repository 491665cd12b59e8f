// QR codes drawn here, as an SVG data: URL (the cloud's CSP allows data: images and nothing from
// elsewhere): the console's pairing code and authenticator link, the totem's WhatsApp link.
import qrcode from 'qrcode-generator';

/** The code's modules, row by row: true is dark. */
export function qrModules(text: string): boolean[][] {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  const n = qr.getModuleCount();
  return Array.from({ length: n }, (_, row) => Array.from({ length: n }, (_, col) => qr.isDark(row, col)));
}

/** One path of dark squares over a white field with the standard four-module quiet zone. */
export function qrSvg(text: string): string {
  const modules = qrModules(text);
  const n = modules.length;
  const margin = 4;
  const size = n + margin * 2;
  let d = '';
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) if (modules[row]![col]) d += `M${col + margin} ${row + margin}h1v1h-1z`;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" shape-rendering="crispEdges"><rect width="${size}" height="${size}" fill="#fff"/><path d="${d}" fill="#000"/></svg>`;
}

/** The store's WhatsApp chat (a Mexican number's ten digits, with the country's 52 before them). */
export function whatsappUrl(tenDigits: string): string {
  return `https://wa.me/52${tenDigits.replace(/\D/g, '')}`;
}

export function qrDataUrl(text: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(qrSvg(text))}`;
}
