import { describe, expect, it } from 'vitest';
import { filenameOf, fraction, readWithProgress, type DownloadProgress } from './download';

function chunked(parts: string[], headers: Record<string, string>): Response {
  const enc = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const p of parts) controller.enqueue(enc.encode(p));
      controller.close();
    },
  });
  return new Response(body, { headers });
}

describe('download progress', () => {
  it('reports each chunk against Content-Length and ends done', async () => {
    const seen: DownloadProgress[] = [];
    const blob = await readWithProgress(chunked(['abcd', 'efgh', 'ij'], { 'Content-Length': '10', 'Content-Type': 'text/csv' }), (p) => seen.push(p));
    expect(seen.map((p) => p.received)).toEqual([4, 8, 10, 10]);
    expect(seen.map(fraction)).toEqual([0.4, 0.8, 1, 1]);
    expect(seen.at(-1)?.phase).toBe('done');
    expect(blob.size).toBe(10);
    expect(blob.type).toBe('text/csv');
    expect(await blob.text()).toBe('abcdefghij');
  });

  it('has no fraction without a size', async () => {
    const seen: DownloadProgress[] = [];
    await readWithProgress(chunked(['ab'], {}), (p) => seen.push(p));
    expect(fraction(seen[0]!)).toBeNull();
    expect(seen[0]!.total).toBeNull();
  });

  it('takes the file name from Content-Disposition', () => {
    expect(filenameOf('attachment; filename="kidyboard-revenue-2026-03-01_2026-03-31.xlsx"', 'x')).toBe('kidyboard-revenue-2026-03-01_2026-03-31.xlsx');
    expect(filenameOf(null, 'reporte.csv')).toBe('reporte.csv');
  });
});
