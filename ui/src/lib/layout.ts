// How the map is laid out: small maps on the window's thread with every label counted, large
// ones in a worker (layout.worker.ts) so the window never freezes.
export interface LayoutRequest {
  run: number;
  /** `group`: what an unlinked node is grouped by in its own area (its kind). */
  nodes: { id: string; size: number; group?: string }[];
  edges: { source: string; target: string }[];
}

export interface LayoutReply {
  run: number;
  positions: Record<string, { x: number; y: number }>;
  ms: number;
}

/** Up to this many nodes the layout runs on the window's thread, with labels. */
export const SMALL_MAP = 200;

/** A small deterministic generator of numbers in [0, 1) (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * What a layout depends on: its nodes (ids and sizes) and edges, as a 53-bit hash (two FNV-1a
 * halves). The layout's random numbers are seeded, so the same key always gives the same positions.
 */
export function layoutKey(req: Pick<LayoutRequest, "nodes" | "edges">): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  // Each part ends with a separator, so parts that run together differently hash differently.
  const mix = (text: string) => {
    a = fnv1a(`${text}\x1f`, a);
    b = fnv1a(`${text}\x1f`, b, 0x5bd1e995);
  };
  for (const n of req.nodes) mix(`${n.id}:${n.size}:${n.group ?? ""}`);
  mix("|");
  for (const e of req.edges) mix(`${e.source}>${e.target}`);
  return `${req.nodes.length}.${req.edges.length}.${(a >>> 0).toString(36)}.${((b >>> 0) & 0x1fffff).toString(36)}`;
}

export type Positions = LayoutReply["positions"];

/** A layout kept: its positions, and how many of its nodes were placed by `extendLayout` since the last full layout. */
export interface Placed {
  positions: Positions;
  added: number;
}

/**
 * The layout of a map that differs from an earlier one (`base`) by a few items, without laying it
 * out again: every node keeps its place, and each new one goes next to the nodes it links to (or,
 * linked to none, in a row beside the map). The map a team knows stays where it was when someone
 * adds a note. Undefined when the maps differ too much for that: more than a tenth of the nodes
 * new since the last full layout, or more than a tenth of the base gone (a filter, say).
 */
export function extendLayout(base: Placed, req: Pick<LayoutRequest, "nodes" | "edges">): Placed | undefined {
  const n = req.nodes.length;
  const missing = req.nodes.filter((x) => !(x.id in base.positions)).map((x) => x.id);
  const kept = n - missing.length;
  const baseSize = Object.keys(base.positions).length;
  const room = Math.max(10, Math.floor(n / 10));
  if (base.added + missing.length > room || kept < baseSize - Math.max(10, Math.floor(baseSize / 10))) return undefined;
  const positions: Positions = {};
  let [x0, y0, x1] = [Infinity, Infinity, -Infinity];
  for (const x of req.nodes) {
    const p = base.positions[x.id];
    if (!p) continue;
    positions[x.id] = p;
    x0 = Math.min(x0, p.x);
    y0 = Math.min(y0, p.y);
    x1 = Math.max(x1, p.x);
  }
  if (!Number.isFinite(x0)) [x0, y0, x1] = [0, 0, 0];
  const links = new Map<string, string[]>();
  const link = (a: string, b: string) => {
    const list = links.get(a);
    if (list) list.push(b);
    else links.set(a, [b]);
  };
  for (const e of req.edges) {
    link(e.source, e.target);
    link(e.target, e.source);
  }
  // New nodes linked to placed ones go beside them; a chain of new nodes, a few passes deep.
  let waiting = missing;
  for (let pass = 0; pass < 4 && waiting.length; pass++) {
    const still: string[] = [];
    for (const id of waiting) {
      const near = (links.get(id) ?? []).map((o) => positions[o]).filter((p) => p !== undefined);
      if (!near.length) {
        still.push(id);
        continue;
      }
      const cx = near.reduce((t, p) => t + p.x, 0) / near.length;
      const cy = near.reduce((t, p) => t + p.y, 0) / near.length;
      const r = seeded(fnv1a(id) >>> 0);
      const angle = r() * 2 * Math.PI;
      const dist = 45 + r() * 30;
      positions[id] = { x: cx + Math.cos(angle) * dist, y: cy + Math.sin(angle) * dist };
    }
    waiting = still;
  }
  // Linked to nothing placed: in rows to the right of the map.
  const cols = Math.max(1, Math.ceil(Math.sqrt(waiting.length)));
  waiting.forEach((id, k) => {
    positions[id] = { x: x1 + 90 + (k % cols) * 50, y: y0 + Math.floor(k / cols) * 50 };
  });
  return { positions, added: base.added + missing.length };
}

/**
 * Positions for the nodes linked to nothing: their own area to the right of the linked map
 * (`box`, its bounds), one block per group (kind) in `order`, each block a square-ish grid, blocks
 * stacked top to bottom. Thousands of unlinked signals then read as a block, not a pile on one spot.
 */
export function unlinkedArea(
  nodes: readonly { id: string; group?: string }[],
  box: { x0: number; y0: number; x1: number; y1: number } | undefined,
  order: readonly string[] = [],
  gap = 26,
): Positions {
  const groups = new Map<string, string[]>();
  for (const n of nodes) {
    const g = n.group ?? "";
    const list = groups.get(g);
    if (list) list.push(n.id);
    else groups.set(g, [n.id]);
  }
  const rank = (g: string) => {
    const i = order.indexOf(g);
    return i < 0 ? order.length : i;
  };
  const names = [...groups.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const left = box ? box.x1 + 6 * gap : 0;
  let top = box ? box.y0 : 0;
  const out: Positions = {};
  for (const g of names) {
    const ids = groups.get(g) ?? [];
    const cols = Math.max(1, Math.ceil(Math.sqrt(ids.length * 1.6)));
    ids.forEach((id, k) => {
      out[id] = { x: left + (k % cols) * gap, y: top + Math.floor(k / cols) * gap };
    });
    top += (Math.ceil(ids.length / cols) + 2) * gap;
  }
  return out;
}

const GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5));

/**
 * Spreads the nodes a layout left on one spot. A spectral layout (fCoSE's draft, for large maps)
 * puts nodes linked to the same nodes and nothing else at the same point: an insight's hundreds
 * of signals become one dot. Each pile (nodes within `cell` of each other's spot) becomes a disc
 * around its spot, about `gap` apart (a sunflower pattern), in id order. Changes `positions` in
 * place; returns how many nodes moved.
 */
export function spreadPiles(positions: Positions, cell = 4, gap = 16): number {
  const piles = new Map<string, string[]>();
  for (const [id, p] of Object.entries(positions)) {
    const key = `${Math.round(p.x / cell)},${Math.round(p.y / cell)}`;
    const pile = piles.get(key);
    if (pile) pile.push(id);
    else piles.set(key, [id]);
  }
  let moved = 0;
  for (const ids of piles.values()) {
    if (ids.length < 2) continue;
    ids.sort();
    let [cx, cy] = [0, 0];
    for (const id of ids) {
      cx += positions[id]!.x / ids.length;
      cy += positions[id]!.y / ids.length;
    }
    ids.forEach((id, i) => {
      const r = gap * Math.sqrt(i);
      positions[id] = { x: cx + r * Math.cos(i * GOLDEN_ANGLE), y: cy + r * Math.sin(i * GOLDEN_ANGLE) };
    });
    moved += ids.length;
  }
  return moved;
}

/** The bounds of `positions`, or undefined when there are none. */
export function bounds(positions: Positions): { x0: number; y0: number; x1: number; y1: number } | undefined {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const p of Object.values(positions)) {
    x0 = Math.min(x0, p.x);
    y0 = Math.min(y0, p.y);
    x1 = Math.max(x1, p.x);
    y1 = Math.max(y1, p.y);
  }
  return Number.isFinite(x0) ? { x0, y0, x1, y1 } : undefined;
}

/** FNV-1a of `text`'s UTF-16 code units, continuing from `h` (32 bits, signed). */
function fnv1a(text: string, h = 0x811c9dc5, prime = 0x01000193): number {
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), prime);
  return h;
}

/** The last few layouts, newest last: coming back to the map, or undoing a filter, lays nothing out again. */
export class LayoutCache {
  private readonly entries = new Map<string, Placed>();
  constructor(private readonly size = 4) {}

  get(key: string): Placed | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  /** The newest kept layout that `extendLayout` can turn into the layout of `req`, so extended. */
  extend(req: Pick<LayoutRequest, "nodes" | "edges">): Placed | undefined {
    for (const placed of [...this.entries.values()].reverse()) {
      const extended = extendLayout(placed, req);
      if (extended) return extended;
    }
    return undefined;
  }

  put(key: string, placed: Placed) {
    this.entries.delete(key);
    this.entries.set(key, placed);
    for (const k of this.entries.keys()) {
      if (this.entries.size <= this.size) break;
      this.entries.delete(k);
    }
  }
}

const laidOut = new LayoutCache();
let worker: Worker | undefined;

/**
 * Lays `req` out in the worker, or answers from the layouts made before. A newer request cancels
 * an older one still running (the worker is replaced), so filtering quickly never queues stale
 * layouts.
 */
export function layOutInWorker(req: LayoutRequest): Promise<LayoutReply> {
  if (worker) worker.terminate();
  worker = undefined;
  const key = layoutKey(req);
  const started = performance.now();
  const known = laidOut.get(key) ?? laidOut.extend(req);
  if (known) {
    laidOut.put(key, known);
    return Promise.resolve({ run: req.run, positions: known.positions, ms: performance.now() - started });
  }
  const w = new Worker(new URL("./layout.worker.ts", import.meta.url), { type: "module" });
  worker = w;
  return new Promise((resolve, reject) => {
    w.onmessage = (e: MessageEvent<LayoutReply>) => {
      if (worker === w) worker = undefined;
      w.terminate();
      laidOut.put(key, { positions: e.data.positions, added: 0 });
      resolve(e.data);
    };
    w.onerror = (e) => {
      if (worker === w) worker = undefined;
      w.terminate();
      reject(new Error(e.message || "the map's layout failed"));
    };
    w.postMessage(req);
  });
}

/** Stops a layout still running (the map was closed). */
export function cancelLayout() {
  worker?.terminate();
  worker = undefined;
}
