// Drawing a large map into a plain pixel buffer: antialiased lines (Xiaolin Wu's algorithm) and
// discs, blended over an opaque background. Used by the map's drawing worker
// (bigmap.worker.ts), so thousands of edges never hold the window. Pure functions over arrays.

/** An RGBA picture, 4 bytes per pixel, rows top to bottom (the layout of ImageData). */
export interface Picture {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** A colour as red, green, blue (0–255) and alpha (0–1). */
export type Rgba = [number, number, number, number];

export function picture(width: number, height: number, bg: Rgba): Picture {
  const data = new Uint8ClampedArray(width * height * 4);
  const [r, g, b] = bg;
  for (let i = 0; i < data.length; i += 4) {
    data[i] = r;
    data[i + 1] = g;
    data[i + 2] = b;
    data[i + 3] = 255;
  }
  return { width, height, data };
}

/** Blends colour `c` with coverage `a` (0–1) over the pixel at (x, y); outside, nothing. */
export function plot(p: Picture, x: number, y: number, c: Rgba, a: number) {
  if (x < 0 || y < 0 || x >= p.width || y >= p.height || a <= 0) return;
  const i = (y * p.width + x) * 4;
  const k = Math.min(1, a * c[3]);
  const d = p.data;
  d[i] = (d[i] ?? 0) + (c[0] - (d[i] ?? 0)) * k;
  d[i + 1] = (d[i + 1] ?? 0) + (c[1] - (d[i + 1] ?? 0)) * k;
  d[i + 2] = (d[i + 2] ?? 0) + (c[2] - (d[i + 2] ?? 0)) * k;
}

/**
 * Clips the segment to the box [x0, x1] × [y0, y1] (Liang–Barsky); null when it misses the box.
 * Keeps the work for a long edge mostly off screen to the part that shows.
 */
export function clip(ax: number, ay: number, bx: number, by: number, x0: number, y0: number, x1: number, y1: number): [number, number, number, number] | null {
  let t0 = 0;
  let t1 = 1;
  const dx = bx - ax;
  const dy = by - ay;
  const edges: [number, number][] = [
    [-dx, ax - x0],
    [dx, x1 - ax],
    [-dy, ay - y0],
    [dy, y1 - ay],
  ];
  for (const [p, q] of edges) {
    if (p === 0) {
      if (q < 0) return null;
    } else {
      const t = q / p;
      if (p < 0) {
        if (t > t1) return null;
        if (t > t0) t0 = t;
      } else {
        if (t < t0) return null;
        if (t < t1) t1 = t;
      }
    }
  }
  return [ax + t0 * dx, ay + t0 * dy, ax + t1 * dx, ay + t1 * dy];
}

/**
 * An antialiased line from (ax, ay) to (bx, by), in pixels, `width` pixels wide: up to one pixel
 * it is one Wu line, fainter as it gets thinner; wider, parallel Wu lines a pixel apart.
 */
export function line(p: Picture, ax: number, ay: number, bx: number, by: number, c: Rgba, width = 1) {
  const seg = clip(ax, ay, bx, by, -2, -2, p.width + 1, p.height + 1);
  if (!seg) return;
  // Wu's lines put a coordinate on a pixel's corner, discs on its centre: half a pixel apart.
  const [x0, y0, x1, y1] = seg.map((v) => v - 0.5) as [number, number, number, number];
  const strands = Math.max(1, Math.round(width));
  const faint = Math.min(1, width);
  const steep = Math.abs(y1 - y0) > Math.abs(x1 - x0);
  for (let s = 0; s < strands; s++) {
    const off = s - (strands - 1) / 2;
    if (steep) wu(p, x0 + off, y0, x1 + off, y1, c, faint);
    else wu(p, x0, y0 + off, x1, y1 + off, c, faint);
  }
}

function wu(p: Picture, x0: number, y0: number, x1: number, y1: number, c: Rgba, k: number) {
  const steep = Math.abs(y1 - y0) > Math.abs(x1 - x0);
  if (steep) [x0, y0, x1, y1] = [y0, x0, y1, x1];
  if (x0 > x1) [x0, y0, x1, y1] = [x1, y1, x0, y0];
  const dx = x1 - x0;
  const gradient = dx === 0 ? 1 : (y1 - y0) / dx;
  const from = Math.round(x0);
  const to = Math.round(x1);
  let y = y0 + gradient * (from - x0);
  for (let x = from; x <= to; x++) {
    const yi = Math.floor(y);
    const f = y - yi;
    if (steep) {
      plot(p, yi, x, c, (1 - f) * k);
      plot(p, yi + 1, x, c, f * k);
    } else {
      plot(p, x, yi, c, (1 - f) * k);
      plot(p, x, yi + 1, c, f * k);
    }
    y += gradient;
  }
}

/** A filled, antialiased disc centred at (cx, cy) with radius `r`, in pixels. */
export function disc(p: Picture, cx: number, cy: number, r: number, c: Rgba) {
  if (cx + r < -1 || cy + r < -1 || cx - r > p.width + 1 || cy - r > p.height + 1) return;
  if (r < 0.75) {
    // Smaller than a pixel: one pixel, as strong as the disc's area.
    plot(p, Math.round(cx - 0.5), Math.round(cy - 0.5), c, Math.max(0.35, Math.PI * r * r));
    return;
  }
  const x0 = Math.max(0, Math.floor(cx - r - 1));
  const x1 = Math.min(p.width - 1, Math.ceil(cx + r + 1));
  const y0 = Math.max(0, Math.floor(cy - r - 1));
  const y1 = Math.min(p.height - 1, Math.ceil(cy + r + 1));
  for (let y = y0; y <= y1; y++) {
    const dy = y + 0.5 - cy;
    for (let x = x0; x <= x1; x++) {
      const dx = x + 0.5 - cx;
      const a = r + 0.5 - Math.sqrt(dx * dx + dy * dy);
      if (a > 0) plot(p, x, y, c, Math.min(1, a));
    }
  }
}

/** "#rgb", "#rgba", "#rrggbb", "#rrggbbaa" or "rgb(r, g, b[, a])" as an Rgba; anything else as opaque grey. */
export function parseHex(hex: string): Rgba {
  const rgb = /^rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)(?:[\s,/]+([\d.]+))?\s*\)$/.exec(hex.trim());
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3]), rgb[4] === undefined ? 1 : Number(rgb[4])];
  let h = hex.trim().replace(/^#/, "");
  if (h.length === 3 || h.length === 4) h = [...h].map((x) => x + x).join("");
  if (!/^[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$/.test(h)) return [128, 128, 128, 1];
  const n = (i: number) => parseInt(h.slice(i, i + 2), 16);
  return [n(0), n(2), n(4), h.length === 8 ? n(6) / 255 : 1];
}
