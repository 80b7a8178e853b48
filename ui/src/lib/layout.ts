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

let worker: Worker | undefined;

/**
 * Lays `req` out in the worker. A newer request cancels an older one still running (the worker
 * is replaced), so filtering quickly never queues stale layouts.
 */
export function layOutInWorker(req: LayoutRequest): Promise<LayoutReply> {
  if (worker) worker.terminate();
  const w = new Worker(new URL("./layout.worker.ts", import.meta.url), { type: "module" });
  worker = w;
  return new Promise((resolve, reject) => {
    w.onmessage = (e: MessageEvent<LayoutReply>) => {
      if (worker === w) worker = undefined;
      w.terminate();
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
