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

export const KIND_COLORS: Record<Kind, string> = {
  note: "#8a94a6",
  signal: "#e0a03a",
  insight: "#3ec7a6",
  friction: "#e0605a",
  resolution: "#6f8cff",
  goal: "#b57bee",
  meeting: "#5fb0d8",
};
