// The map's data: filtering the knowledge graph and capping what is drawn, so a large workspace
// never freezes the window. Pure functions.
import type { Kind, Rel } from "./types";

export interface GraphNode {
  id: string;
  kind: Kind;
  title: string;
  status?: string | null;
  perspective: string;
  tags: string[];
}
export interface GraphEdge {
  source: string;
  target: string;
  rel: Rel;
}
export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export interface MapFilter {
  kinds: ReadonlySet<Kind>;
  perspective: string;
  tag: string;
  query: string;
}

/** The most nodes the map draws at once; past this it keeps the best connected ones. */
export const MAX_NODES = 5000;

/** Applies the filter and the cap; edges are kept only between drawn nodes. */
export function filterGraph(g: Graph, f: MapFilter, max = MAX_NODES): Graph & { hidden: number } {
  const q = f.query.trim().toLowerCase();
  let nodes = g.nodes.filter(
    (n) =>
      (f.kinds.size === 0 || f.kinds.has(n.kind)) &&
      (!f.perspective || n.perspective === f.perspective) &&
      (!f.tag || n.tags.includes(f.tag)) &&
      (!q || n.title.toLowerCase().includes(q)),
  );
  let hidden = 0;
  if (nodes.length > max) {
    const degree = new Map<string, number>();
    for (const e of g.edges) {
      degree.set(e.source, (degree.get(e.source) ?? 0) + 1);
      degree.set(e.target, (degree.get(e.target) ?? 0) + 1);
    }
    nodes = [...nodes].sort((a, b) => (degree.get(b.id) ?? 0) - (degree.get(a.id) ?? 0) || a.id.localeCompare(b.id));
    hidden = nodes.length - max;
    nodes = nodes.slice(0, max);
  }
  const keep = new Set(nodes.map((n) => n.id));
  const edges = g.edges.filter((e) => keep.has(e.source) && keep.has(e.target));
  return { nodes, edges, hidden };
}

export function facets(g: Graph): { perspectives: string[]; tags: string[] } {
  const p = new Set<string>();
  const t = new Set<string>();
  for (const n of g.nodes) {
    if (n.perspective) p.add(n.perspective);
    for (const x of n.tags) t.add(x);
  }
  return { perspectives: [...p].sort(), tags: [...t].sort() };
}

/** The kind palette: the same as `--k-*` in style.css and every export's (held equal by tests). */
export const KIND_COLORS: Record<Kind, string> = {
  note: "#8a94a6",
  signal: "#e0a03a",
  insight: "#2fae8f",
  friction: "#e0605a",
  resolution: "#6f8cff",
  goal: "#b57bee",
  meeting: "#5fb0d8",
};

/** From this many links an item is a hub: its label is bold, larger, and kept first. */
export const HUB_DEGREE = 4;

/**
 * How a node's label is set at zoom `z`: bold or not, its font size on screen and its widest box
 * (longer labels are cut with an ellipsis). Undefined below 7 px, where no label is legible: it is
 * neither drawn nor measured.
 */
export function labelStyle(degree: number, z: number): { hub: boolean; font: number; maxWidth: number } | undefined {
  const hub = degree >= HUB_DEGREE;
  const font = (hub ? 13 : 11) * z;
  return font < 7 ? undefined : { hub, font, maxWidth: (hub ? 170 : 130) * z };
}

/** The label of a node drawn at screen point (x, y) with diameter `size` at zoom `z`: a box under the node. */
export function labelCandidate(id: string, x: number, y: number, label: string, size: number, degree: number, z: number): LabelCandidate | undefined {
  const style = labelStyle(degree, z);
  if (!style) return undefined;
  const w = Math.min(label.length * style.font * 0.6, style.maxWidth) + 4;
  const h = style.font * 1.35;
  const top = y + (size * z) / 2 + 3 * z;
  return { id, x, y: top + h / 2, w, h, weight: degree };
}

/** A label the map could draw: its node's place on screen, the label's size, and its weight. */
export interface LabelCandidate {
  id: string;
  /** Rendered centre of the label's box, in pixels. */
  x: number;
  y: number;
  w: number;
  h: number;
  /** Higher first: the best-linked items keep their labels. */
  weight: number;
}

/**
 * Which labels to draw so that none overlaps another: greedily, heaviest first, each label is
 * kept when its box (plus `gap` pixels) is clear of every label kept before it. Labels whose box
 * lies outside the `width` × `height` viewport are skipped. A uniform grid of `cell`-pixel
 * buckets keeps this near-linear for thousands of nodes.
 */
export function declutter(candidates: readonly LabelCandidate[], width: number, height: number, gap = 2, cell = 64): Set<string> {
  const kept = new Set<string>();
  const grid = new Map<number, LabelCandidate[]>();
  const cols = Math.ceil(width / cell) + 1;
  const sorted = [...candidates].sort((a, b) => b.weight - a.weight || (a.id < b.id ? -1 : 1));
  for (const c of sorted) {
    const x0 = c.x - c.w / 2 - gap;
    const x1 = c.x + c.w / 2 + gap;
    const y0 = c.y - c.h / 2 - gap;
    const y1 = c.y + c.h / 2 + gap;
    if (x1 < 0 || y1 < 0 || x0 > width || y0 > height) continue;
    const cx0 = Math.max(0, Math.floor(x0 / cell));
    const cx1 = Math.min(cols - 1, Math.floor(x1 / cell));
    const cy0 = Math.max(0, Math.floor(y0 / cell));
    const cy1 = Math.floor(Math.max(0, y1) / cell);
    let clear = true;
    for (let gx = cx0; gx <= cx1 && clear; gx++) {
      for (let gy = cy0; gy <= cy1 && clear; gy++) {
        for (const o of grid.get(gy * cols + gx) ?? []) {
          if (Math.abs(o.x - c.x) * 2 < o.w + c.w + 2 * gap && Math.abs(o.y - c.y) * 2 < o.h + c.h + 2 * gap) {
            clear = false;
            break;
          }
        }
      }
    }
    if (!clear) continue;
    kept.add(c.id);
    for (let gx = cx0; gx <= cx1; gx++) {
      for (let gy = cy0; gy <= cy1; gy++) {
        const k = gy * cols + gx;
        const bucket = grid.get(k);
        if (bucket) bucket.push(c);
        else grid.set(k, [c]);
      }
    }
  }
  return kept;
}
