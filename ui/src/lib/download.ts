// Reads a file download chunk by chunk so the page can show how far it got: a "preparing" phase
// until the hub sends its first bytes (it builds the whole file before answering), then the
// fraction of Content-Length received.

export type DownloadPhase = 'preparing' | 'receiving' | 'done';

export interface DownloadProgress {
  phase: DownloadPhase;
  received: number;
  /** From Content-Length; null when the server did not say. */
  total: number | null;
}

/** 0–1 when the size is known, null otherwise. */
export function fraction(p: DownloadProgress): number | null {
  if (p.phase === 'done') return 1;
  if (!p.total) return null;
  return Math.min(1, p.received / p.total);
}

/** The filename of a Content-Disposition header, or the fallback. */
export function filenameOf(disposition: string | null, fallback: string): string {
  const m = /filename="?([^";]+)"?/i.exec(disposition ?? '');
  return m?.[1] ?? fallback;
}

/** Collects the body of `response`, reporting progress after every chunk. */
export async function readWithProgress(response: Response, onProgress: (p: DownloadProgress) => void): Promise<Blob> {
  const header = response.headers.get('Content-Length');
  const total = header && /^\d+$/.test(header) ? Number(header) : null;
  const type = response.headers.get('Content-Type') ?? 'application/octet-stream';
  const chunks: Uint8Array[] = [];
  let received = 0;
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.byteLength;
      onProgress({ phase: 'receiving', received, total });
    }
  }
  onProgress({ phase: 'done', received, total });
  return new Blob(chunks as BlobPart[], { type });
}
