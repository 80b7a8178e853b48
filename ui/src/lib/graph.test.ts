import { describe, expect, it } from "vitest";
import { facets, filterGraph, type Graph } from "./graph";
import type { Kind } from "./types";

function big(n: number): Graph {
  const kinds: Kind[] = ["note", "signal", "insight"];
  const nodes = Array.from({ length: n }, (_, i) => ({
    id: `n${i}`,
    kind: kinds[i % 3] as Kind,
    title: `Item ${i}`,
    perspective: i % 2 ? "Sales" : "Engineering",
    tags: i % 5 === 0 ? ["pricing"] : [],
  }));
  const edges = Array.from({ length: n - 1 }, (_, i) => ({ source: `n${i + 1}`, target: `n${Math.floor(i / 2)}`, rel: "references" as const }));
  return { nodes, edges };
}

const none = { kinds: new Set<Kind>(), perspective: "", tag: "", query: "" };

describe("filterGraph", () => {
  it("filters by kind, perspective, tag and title, keeping only edges between kept nodes", () => {
    const g = big(30);
    const f = filterGraph(g, { ...none, kinds: new Set<Kind>(["signal"]), perspective: "Sales" });
    expect(f.nodes.every((n) => n.kind === "signal" && n.perspective === "Sales")).toBe(true);
    const ids = new Set(f.nodes.map((n) => n.id));
    expect(f.edges.every((e) => ids.has(e.source) && ids.has(e.target))).toBe(true);
    expect(filterGraph(g, { ...none, tag: "pricing" }).nodes).toHaveLength(6);
    expect(filterGraph(g, { ...none, query: "item 2" }).nodes.map((n) => n.id)).toContain("n21");
  });

  it("caps a huge graph at the best connected nodes, fast", () => {
    const g = big(100_000);
    const t = performance.now();
    const f = filterGraph(g, none, 5000);
    expect(performance.now() - t).toBeLessThan(2000);
    expect(f.nodes).toHaveLength(5000);
    expect(f.hidden).toBe(95_000);
    // The inner nodes of the tree (degree 2–3) are kept before its leaves (degree 1).
    const kept = new Set(f.nodes.map((n) => n.id));
    expect(kept.has("n1")).toBe(true);
    expect(kept.has("n99999")).toBe(false);
  });

  it("lists the perspectives and tags to filter by", () => {
    expect(facets(big(10))).toEqual({ perspectives: ["Engineering", "Sales"], tags: ["pricing"] });
  });
});
