// How the map is laid out: small maps on the window's thread with every label counted, large
// ones in a worker (layout.worker.ts) so the window never freezes.
export interface LayoutRequest {
  run: number;
  nodes: { id: string; size: number }[];
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
  const mix = (text: string) => {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
    }
    a = Math.imul(a ^ 0x1f, 0x01000193);
    b = Math.imul(b ^ 0x1f, 0x5bd1e995);
  };
  for (const n of req.nodes) mix(`${n.id}:${n.size}`);
  mix("|");
  for (const e of req.edges) mix(`${e.source}>${e.target}`);
  return `${req.nodes.length}.${req.edges.length}.${(a >>> 0).toString(36)}.${((b >>> 0) & 0x1fffff).toString(36)}`;
}

/** The last few layouts, newest last: coming back to the map, or undoing a filter, lays nothing out again. */
export class LayoutCache {
  private readonly entries = new Map<string, LayoutReply["positions"]>();
  constructor(private readonly size = 4) {}

  get(key: string): LayoutReply["positions"] | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  put(key: string, positions: LayoutReply["positions"]) {
    this.entries.delete(key);
    this.entries.set(key, positions);
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
  const known = laidOut.get(key);
  if (known) return Promise.resolve({ run: req.run, positions: known, ms: 0 });
  const w = new Worker(new URL("./layout.worker.ts", import.meta.url), { type: "module" });
  worker = w;
  return new Promise((resolve, reject) => {
    w.onmessage = (e: MessageEvent<LayoutReply>) => {
      if (worker === w) worker = undefined;
      w.terminate();
      laidOut.put(key, e.data.positions);
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
