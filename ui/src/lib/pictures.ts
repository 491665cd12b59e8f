// Where a picture is loaded from, at the widths a screen may need. Pictures stored in the hub
// (`/img/{hash}`) and pictures of the cloud catalogue (an http(s) address, kept by the hub so they
// show offline) are both served by the hub in the best format the browser accepts; `srcset`
// lets the browser pick the width for its layout and pixel density.

/** The hub's preset widths (crates/images/src/variants.rs) a screen's srcset chooses from. */
export const PICTURE_WIDTHS = [160, 320, 400, 800, 960] as const;

const stored = /^\/img\/[0-9a-f]{64}$/;

/** The hub address of `url` at width `w`, or `url` itself when the hub does not serve it. */
export function pictureSrc(url: string, w: number): string {
  if (stored.test(url)) return `${url}?w=${w}`;
  if (/^https?:\/\//i.test(url)) return `/img/remote?${new URLSearchParams({ url, w: String(w) })}`;
  return url;
}

/** A `srcset` over the preset widths, or undefined for pictures the hub does not serve. */
export function pictureSrcset(url: string, widths: readonly number[] = PICTURE_WIDTHS): string | undefined {
  if (widths.length === 0 || pictureSrc(url, 0) === url) return undefined;
  return widths.map((w) => `${pictureSrc(url, w)} ${w}w`).join(', ');
}
