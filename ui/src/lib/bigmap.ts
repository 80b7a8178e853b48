// A large map (more nodes than SMALL_MAP), drawn without Cytoscape.
//
// Cytoscape draws each node and each edge on its own on every frame: at 5,000 nodes and 16,000
// edges one frame held the window for 0.9–1.3 s on a software renderer, and a frame was drawn
// after every pan and zoom. Here the picture (edges, then nodes) is drawn by a worker into a pixel
// buffer (bigmap.worker.ts, raster.ts) and put on a canvas in one step; the window itself only
// draws the labels that fit. While the view moves, the last picture moves and scales with it (a
// CSS transform, which costs the window nothing) until the worker has drawn the new one.
//
// Pan by dragging or with the arrow keys, zoom with the wheel or + and -, 0 fits the map; a click
// on a node opens it.
import { declutter, HUB_DEGREE, KIND_COLORS, labelCandidate, labelStyle, type LabelCandidate } from "./graph";
import { parseHex, type Rgba } from "./raster";
import { KINDS, type Kind } from "./types";

/** A view of the map: model coordinates `m` appear on screen at `m * zoom + pan` (CSS pixels). */
export interface Viewport {
  zoom: number;
  pan: { x: number; y: number };
}

export interface BigNode {
  id: string;
  kind: Kind;
  label: string;
  x: number;
  y: number;
  /** Diameter, in model units. */
  size: number;
  /** Links: the best linked keep their labels first, and from 4 on a node is a hub. */
  degree: number;
}

export interface BigEdge {
  source: string;
  target: string;
  /** Evidence, resolutions and goals advanced: drawn stronger than plain links. */
  strong: boolean;
}

/** What the drawing worker keeps of a map: positions and radii by node index, edges as index triples. */
export interface MapScene {
  xy: Float64Array;
  radius: Float64Array;
  /** Index into `palette`, by node. */
  colour: Uint8Array;
  palette: Rgba[];
  /** (source, target, style) for each edge. */
  ends: Uint32Array;
  edgeStyles: { colour: Rgba; width: number }[];
}

export interface DrawRequest {
  id: number;
  /** Which map (`show` call) the picture is of. */
  scene: number;
  width: number;
  height: number;
  zoom: number;
  pan: { x: number; y: number };
  bg: Rgba;
  /** Device pixels per CSS pixel the picture is drawn at (width, height, zoom and pan are in device pixels). */
  dpr: number;
}

export interface DrawReply extends Omit<DrawRequest, "bg"> {
  /** Empty when the worker could not draw it (see `error`). */
  pixels: ArrayBuffer;
  error?: string;
  /** How long the worker took to draw it. */
  ms: number;
}

export const MIN_ZOOM = 0.002;
export const MAX_ZOOM = 4;
/** A fitted map is not blown up past legibility. */
const FIT_ZOOM = 1.6;

/** The CSS transform that moves a picture drawn at `drawn` to where it belongs at `now`. */
export function followTransform(drawn: Viewport, now: Viewport): string {
  const s = now.zoom / drawn.zoom;
  const x = now.pan.x - drawn.pan.x * s;
  const y = now.pan.y - drawn.pan.y * s;
  return s === 1 && x === 0 && y === 0 ? "" : `translate(${x}px, ${y}px) scale(${s})`;
}

/** The view that shows every point of `points` in `width` × `height` pixels, `padding` from the sides. */
export function fitView(points: Iterable<{ x: number; y: number }>, width: number, height: number, padding = 30): Viewport {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const p of points) {
    x0 = Math.min(x0, p.x);
    y0 = Math.min(y0, p.y);
    x1 = Math.max(x1, p.x);
    y1 = Math.max(y1, p.y);
  }
  if (!Number.isFinite(x0)) return { zoom: 1, pan: { x: width / 2, y: height / 2 } };
  const [w, h] = [width - 2 * padding, height - 2 * padding];
  const zoom = clampZoom(Math.min(FIT_ZOOM, w / Math.max(1, x1 - x0 + 30), h / Math.max(1, y1 - y0 + 30)));
  return { zoom, pan: { x: width / 2 - ((x0 + x1) / 2) * zoom, y: height / 2 - ((y0 + y1) / 2) * zoom } };
}

export function clampZoom(z: number): number {
  return Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, z));
}

/** Zooms `v` by `factor`, keeping the model point under screen point (sx, sy) where it is. */
export function zoomAround(v: Viewport, factor: number, sx: number, sy: number): Viewport {
  const zoom = clampZoom(v.zoom * factor);
  const k = zoom / v.zoom;
  return { zoom, pan: { x: sx - (sx - v.pan.x) * k, y: sy - (sy - v.pan.y) * k } };
}

/** Finds the node under a point: a grid of model-space buckets over the nodes' centres. */
export class NodeGrid {
  private readonly cells = new Map<string, number[]>();
  private readonly maxRadius: number;

  constructor(
    private readonly nodes: readonly BigNode[],
    private readonly cell = 64,
  ) {
    let max = 0;
    nodes.forEach((n, i) => {
      max = Math.max(max, n.size / 2);
      const k = this.key(Math.floor(n.x / cell), Math.floor(n.y / cell));
      const bucket = this.cells.get(k);
      if (bucket) bucket.push(i);
      else this.cells.set(k, [i]);
    });
    this.maxRadius = max;
  }

  private key(gx: number, gy: number): string {
    return `${gx},${gy}`;
  }

  /** The node whose disc (widened by `slop` model units) holds (x, y); the nearest centre wins. */
  at(x: number, y: number, slop = 0): BigNode | undefined {
    const reach = this.maxRadius + slop;
    const [gx0, gx1] = [Math.floor((x - reach) / this.cell), Math.floor((x + reach) / this.cell)];
    const [gy0, gy1] = [Math.floor((y - reach) / this.cell), Math.floor((y + reach) / this.cell)];
    let best: BigNode | undefined;
    let bestD = Infinity;
    for (let gx = gx0; gx <= gx1; gx++) {
      for (let gy = gy0; gy <= gy1; gy++) {
        for (const i of this.cells.get(this.key(gx, gy)) ?? []) {
          const n = this.nodes[i];
          if (!n) continue;
          const d = Math.hypot(n.x - x, n.y - y);
          if (d <= n.size / 2 + slop && d < bestD) {
            best = n;
            bestD = d;
          }
        }
      }
    }
    return best;
  }
}

/** What a key does on a map, large or small: arrows pan, + and - zoom about the middle, 0 fits. */
export type MapMove = { pan: [number, number] } | { zoom: number } | { fit: true };

/** The move for key event `e`, if it is one; keys with Ctrl, Cmd or Alt belong to the window (Alt+0 opens People, say). */
export function mapMove(e: KeyboardEvent): MapMove | undefined {
  if (e.ctrlKey || e.metaKey || e.altKey) return undefined;
  const step = 80;
  const moves: Record<string, MapMove> = {
    ArrowLeft: { pan: [step, 0] },
    ArrowRight: { pan: [-step, 0] },
    ArrowUp: { pan: [0, step] },
    ArrowDown: { pan: [0, -step] },
    "+": { zoom: 1.25 },
    "=": { zoom: 1.25 },
    "-": { zoom: 1 / 1.25 },
    "0": { fit: true },
  };
  return moves[e.key];
}

/** Device pixels per CSS pixel a picture is drawn at (at most 2: four times the pixels is enough). */
function pixelRatio(): number {
  return Math.min(2, window.devicePixelRatio || 1);
}

/** A colour of the current theme (light or dark), from the page's CSS variables. */
export function themeColour(name: "--bg" | "--fg" | "--fg-muted"): string {
  const fallback = { "--bg": "#f7f7f5", "--fg": "#1e2230", "--fg-muted": "#6b7080" }[name];
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

export interface BigMapHooks {
  /** A node was clicked. */
  open(node: BigNode): void;
  /** A picture of the current map was put on screen (the first after `show`, and every later one). */
  drawn(): void;
  /** The map's name for assistive technology. */
  label: string;
  /** The picture could not be drawn. */
  failed(message: string): void;
  /** After every change of view: how many nodes show as a dot of their own, and how many do not
   * (out of view, or on the same spot as another at this zoom). */
  viewed?(visible: number, hidden: number): void;
}

/**
 * How many of `nodes` show at view `v` in a `width`×`height` window: in view, and each on a spot
 * (`cell` px) no other shown node takes; the rest are hidden at this zoom.
 */
export function visibleCount(nodes: readonly { x: number; y: number }[], v: Viewport, width: number, height: number, cell = 3): { visible: number; hidden: number } {
  const spots = new Set<number>();
  const cols = Math.ceil(width / cell) + 1;
  for (const n of nodes) {
    const sx = n.x * v.zoom + v.pan.x;
    const sy = n.y * v.zoom + v.pan.y;
    if (sx < 0 || sy < 0 || sx > width || sy > height) continue;
    spots.add(Math.floor(sy / cell) * cols + Math.floor(sx / cell));
  }
  return { visible: spots.size, hidden: nodes.length - spots.size };
}

export class BigMap {
  readonly element: HTMLDivElement;
  private readonly picture: HTMLCanvasElement;
  private readonly labels: HTMLCanvasElement;
  private readonly worker: Worker;
  private nodes: BigNode[] = [];
  private edgeTotal = 0;
  private grid = new NodeGrid([]);
  private view: Viewport = { zoom: 1, pan: { x: 0, y: 0 } };
  /** The view of the picture on screen, if any. */
  private shown: Viewport | undefined;
  private nextId = 0;
  private scene = 0;
  /** The draw request the worker is working on, and whether the view changed since. */
  private inFlight = 0;
  private stale = false;
  private selected: string | undefined;
  private press: { x: number; y: number; pan: { x: number; y: number }; moved: boolean } | undefined;
  private readonly resize: ResizeObserver;
  /** The map's size (CSS pixels) when the picture on screen was drawn. */
  private drawnSize = { width: 0, height: 0 };
  private readonly hooks: BigMapHooks;
  /** For benchmarks: the last picture's time in the worker, and on the window's thread (put and labels). */
  readonly timing = { worker: 0, window: 0 };

  /** How many edges the current map draws (between two of its nodes, no loops). */
  get edgeCount(): number {
    return this.edgeTotal;
  }

  constructor(hooks: BigMapHooks) {
    this.hooks = hooks;
    this.element = document.createElement("div");
    this.element.className = "bigmap";
    this.element.style.display = "none";
    this.element.tabIndex = 0;
    this.element.setAttribute("role", "application");
    this.element.setAttribute("aria-label", hooks.label);
    this.picture = document.createElement("canvas");
    this.labels = document.createElement("canvas");
    for (const c of [this.picture, this.labels]) {
      c.setAttribute("aria-hidden", "true");
      this.element.append(c);
    }
    this.worker = new Worker(new URL("./bigmap.worker.ts", import.meta.url), { type: "module" });
    this.worker.onmessage = (e: MessageEvent<DrawReply>) => this.put(e.data);
    // A worker that fails (it could not even start) must not leave the map waiting for it.
    this.worker.onerror = (e) => {
      e.preventDefault();
      this.inFlight = 0;
      hooks.failed(e.message || "the map could not be drawn");
    };
    this.element.addEventListener("pointerdown", this.onDown);
    this.element.addEventListener("pointermove", this.onMove);
    this.element.addEventListener("pointerup", this.onUp);
    this.element.addEventListener("pointercancel", this.onUp);
    this.element.addEventListener("wheel", this.onWheel, { passive: false });
    this.element.addEventListener("keydown", this.onKey);
    // A new size needs a new picture; showing the map (from hidden) is not a new size of its own.
    this.resize = new ResizeObserver(() => {
      const { width, height } = this.size();
      if (!width || !height || !this.nodes.length) return;
      if (!this.shown && !this.inFlight) this.fit(); // shown while it had no size: fitted and drawn now
      else if (this.shown && (width !== this.drawnSize.width || height !== this.drawnSize.height)) this.request();
    });
    this.resize.observe(this.element);
  }

  /** Shows these nodes and edges, fitted to the view. */
  show(nodes: BigNode[], edges: readonly BigEdge[]) {
    this.nodes = nodes;
    this.grid = new NodeGrid(nodes);
    const index = new Map(nodes.map((n, i) => [n.id, i]));
    const xy = new Float64Array(nodes.length * 2);
    const radius = new Float64Array(nodes.length);
    const colour = new Uint8Array(nodes.length);
    nodes.forEach((n, i) => {
      xy[2 * i] = n.x;
      xy[2 * i + 1] = n.y;
      radius[i] = n.size / 2;
      colour[i] = Math.max(0, KINDS.indexOf(n.kind));
    });
    const ends: number[] = [];
    for (const e of edges) {
      const a = index.get(e.source);
      const b = index.get(e.target);
      if (a !== undefined && b !== undefined && a !== b) ends.push(a, b, e.strong ? 1 : 0);
    }
    const scene: MapScene = {
      xy,
      radius,
      colour,
      palette: KINDS.map((k) => parseHex(KIND_COLORS[k])),
      ends: Uint32Array.from(ends),
      // The same as the small map's edges: grey links, blue ones for evidence and decisions.
      edgeStyles: [
        { colour: parseHex("#8884"), width: 1 },
        { colour: parseHex("#6f8cff88"), width: 1.5 },
      ],
    };
    this.edgeTotal = ends.length / 3;
    this.scene++;
    this.worker.postMessage({ map: scene });
    this.shown = undefined;
    this.selected = undefined;
    // The map shown before is not shown for this one while its picture is drawn.
    for (const c of [this.picture, this.labels]) c.getContext("2d")?.clearRect(0, 0, c.width, c.height);
    this.transform("");
    // Shown only while it has a map: a small one is Cytoscape's.
    this.element.style.display = nodes.length ? "block" : "none";
    if (nodes.length) this.fit();
  }

  fit() {
    const { width, height } = this.size();
    this.setView(fitView(this.nodes, width, height));
  }

  /** The theme changed: the picture's background and the labels follow. */
  restyle() {
    this.request();
  }

  destroy() {
    this.resize.disconnect();
    this.worker.terminate();
    this.element.remove();
  }

  /** Moves the picture and its labels together (a CSS transform; "" for where they were drawn). */
  private transform(t: string) {
    this.picture.style.transform = t;
    this.labels.style.transform = t;
  }

  private size() {
    return { width: this.element.clientWidth, height: this.element.clientHeight };
  }

  /** A key pressed while the map is shown (arrows pan, + and - zoom, 0 fits); true when it was one. */
  key(e: KeyboardEvent): boolean {
    if (!this.nodes.length || !mapMove(e)) return false;
    this.onKey(e);
    return true;
  }

  private setView(v: Viewport) {
    this.view = v;
    if (this.hooks.viewed) {
      const { width, height } = this.size();
      const { visible, hidden } = visibleCount(this.nodes, v, width, height);
      this.hooks.viewed(visible, hidden);
    }
    if (this.shown) this.transform(followTransform(this.shown, v));
    this.request();
  }

  /** Asks the worker for a picture of the current view; while it draws one, the next waits. */
  private request() {
    if (this.inFlight) {
      this.stale = true;
      return;
    }
    const { width, height } = this.size();
    if (!width || !height) return;
    const dpr = pixelRatio();
    const req: DrawRequest = {
      id: ++this.nextId,
      scene: this.scene,
      width: Math.round(width * dpr),
      height: Math.round(height * dpr),
      zoom: this.view.zoom * dpr,
      pan: { x: this.view.pan.x * dpr, y: this.view.pan.y * dpr },
      bg: parseHex(themeColour("--bg")),
      dpr,
    };
    this.inFlight = req.id;
    this.stale = false;
    this.worker.postMessage(req);
  }

  private put(reply: DrawReply) {
    if (reply.id !== this.inFlight) return;
    this.inFlight = 0;
    // A picture of the map shown before: the new map's is asked for instead.
    if (reply.scene !== this.scene) {
      this.request();
      return;
    }
    if (reply.error) {
      this.hooks.failed(reply.error);
      return;
    }
    const started = performance.now();
    // The scale it was drawn at, which the window's may no longer be (moved to another screen).
    const dpr = reply.dpr;
    const drawn: Viewport = { zoom: reply.zoom / dpr, pan: { x: reply.pan.x / dpr, y: reply.pan.y / dpr } };
    const { width, height } = this.size();
    for (const c of [this.picture, this.labels]) {
      if (c.width !== reply.width) c.width = reply.width;
      if (c.height !== reply.height) c.height = reply.height;
      c.style.width = `${reply.width / dpr}px`;
      c.style.height = `${reply.height / dpr}px`;
    }
    this.picture.getContext("2d")?.putImageData(new ImageData(new Uint8ClampedArray(reply.pixels), reply.width, reply.height), 0, 0);
    this.drawLabels(drawn, width, height, dpr);
    this.shown = drawn;
    this.drawnSize = { width, height };
    // The map changed size or scale while the picture was drawn: another one, as it is now.
    if (pixelRatio() !== dpr || Math.round(width * dpr) !== reply.width || Math.round(height * dpr) !== reply.height) this.stale = true;
    this.transform(followTransform(drawn, this.view));
    this.timing.worker = reply.ms;
    this.timing.window = performance.now() - started;
    if (this.stale) this.request();
    this.hooks.drawn();
  }

  /** The labels that fit at this view, each on a backing of the page colour, and the selection. */
  private drawLabels(v: Viewport, width: number, height: number, dpr: number) {
    const ctx = this.labels.getContext("2d");
    if (!ctx) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.labels.width, this.labels.height);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const z = v.zoom;
    const at = (n: BigNode) => ({ x: n.x * z + v.pan.x, y: n.y * z + v.pan.y });
    const candidates: LabelCandidate[] = [];
    const byId = new Map<string, BigNode>();
    // Below this zoom not even a hub's label would be legible: none is measured.
    if (labelStyle(HUB_DEGREE, z)) {
      for (const n of this.nodes) {
        const p = at(n);
        if (p.x < -200 || p.y < -50 || p.x > width + 200 || p.y > height + 50) continue;
        const c = labelCandidate(n.id, p.x, p.y, n.label, n.size, n.degree, z);
        if (!c) continue;
        candidates.push(c);
        byId.set(n.id, n);
      }
    }
    const keep = candidates.length ? declutter(candidates, width, height) : new Set<string>();
    const family = getComputedStyle(this.element).fontFamily || "sans-serif";
    const [bg, fg, muted] = [themeColour("--bg"), themeColour("--fg"), themeColour("--fg-muted")];
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    for (const c of candidates) {
      const n = byId.get(c.id);
      const style = n && labelStyle(n.degree, z);
      if (!n || !style || !keep.has(c.id)) continue;
      const { hub, font } = style;
      ctx.font = `${hub ? "bold " : ""}${font}px ${family}`;
      const text = ellipsis(ctx, n.label, style.maxWidth);
      const tw = ctx.measureText(text).width;
      ctx.globalAlpha = 0.8;
      ctx.fillStyle = bg;
      ctx.beginPath();
      ctx.roundRect(c.x - tw / 2 - 2, c.y - c.h / 2, tw + 4, c.h, 3);
      ctx.fill();
      ctx.globalAlpha = 1;
      ctx.fillStyle = hub ? fg : muted;
      ctx.fillText(text, c.x, c.y);
    }
    const s = this.selected ? this.nodes.find((n) => n.id === this.selected) : undefined;
    if (s) {
      const p = at(s);
      ctx.strokeStyle = "#ffd27a";
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(p.x, p.y, (s.size * z) / 2 + 1, 0, 2 * Math.PI);
      ctx.stroke();
    }
  }

  private nodeAt(clientX: number, clientY: number): BigNode | undefined {
    const r = this.element.getBoundingClientRect();
    const v = this.view;
    // A few pixels of slop, so a node drawn a pixel wide can still be hit.
    return this.grid.at((clientX - r.left - v.pan.x) / v.zoom, (clientY - r.top - v.pan.y) / v.zoom, 4 / v.zoom);
  }

  private onDown = (e: PointerEvent) => {
    if (e.button !== 0) return;
    this.element.setPointerCapture(e.pointerId);
    this.press = { x: e.clientX, y: e.clientY, pan: { ...this.view.pan }, moved: false };
  };

  private onMove = (e: PointerEvent) => {
    const p = this.press;
    if (!p) {
      // Over a node: a hand, and its title (most nodes of a large map show no label).
      const n = this.nodeAt(e.clientX, e.clientY);
      this.element.style.cursor = n ? "pointer" : "grab";
      const title = n?.label ?? "";
      if (this.element.title !== title) this.element.title = title;
      return;
    }
    const [dx, dy] = [e.clientX - p.x, e.clientY - p.y];
    if (!p.moved && Math.hypot(dx, dy) < 4) return;
    p.moved = true;
    this.element.style.cursor = "grabbing";
    this.setView({ zoom: this.view.zoom, pan: { x: p.pan.x + dx, y: p.pan.y + dy } });
  };

  private onUp = (e: PointerEvent) => {
    const p = this.press;
    this.press = undefined;
    if (this.element.hasPointerCapture(e.pointerId)) this.element.releasePointerCapture(e.pointerId);
    this.element.style.cursor = "";
    if (!p || p.moved || e.type === "pointercancel") return;
    const n = this.nodeAt(e.clientX, e.clientY);
    if (!n) return;
    this.selected = n.id;
    if (this.shown) {
      const { width, height } = this.size();
      this.drawLabels(this.shown, width, height, pixelRatio());
    }
    this.hooks.open(n);
  };

  private onWheel = (e: WheelEvent) => {
    e.preventDefault();
    const r = this.element.getBoundingClientRect();
    const lines = e.deltaMode === WheelEvent.DOM_DELTA_LINE ? 16 : e.deltaMode === WheelEvent.DOM_DELTA_PAGE ? 400 : 1;
    this.setView(zoomAround(this.view, Math.exp(-e.deltaY * lines * 0.0015), e.clientX - r.left, e.clientY - r.top));
  };

  private onKey = (e: KeyboardEvent) => {
    const move = mapMove(e);
    if (!move) return;
    e.preventDefault();
    const { width, height } = this.size();
    if ("pan" in move) this.setView({ zoom: this.view.zoom, pan: { x: this.view.pan.x + move.pan[0], y: this.view.pan.y + move.pan[1] } });
    else if ("zoom" in move) this.setView(zoomAround(this.view, move.zoom, width / 2, height / 2));
    else this.fit();
  };
}

/** `text`, cut with an ellipsis to fit `max` pixels in the context's current font. */
function ellipsis(ctx: CanvasRenderingContext2D, text: string, max: number): string {
  if (ctx.measureText(text).width <= max) return text;
  let [lo, hi] = [0, text.length];
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (ctx.measureText(text.slice(0, mid) + "…").width <= max) lo = mid;
    else hi = mid - 1;
  }
  return text.slice(0, lo) + "…";
}
