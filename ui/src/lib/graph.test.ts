import { describe, expect, it } from "vitest";
import { declutter, facets, filterGraph, type Graph, type LabelCandidate } from "./graph";
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

describe("declutter", () => {
  const box = (id: string, x: number, y: number, weight: number, w = 80, h = 14): LabelCandidate => ({ id, x, y, w, h, weight });
  const overlap = (a: LabelCandidate, b: LabelCandidate, gap: number) =>
    Math.abs(a.x - b.x) * 2 < a.w + b.w + 2 * gap && Math.abs(a.y - b.y) * 2 < a.h + b.h + 2 * gap;

  it("keeps the better-linked of two labels that would overlap, and both when they do not", () => {
    expect([...declutter([box("a", 100, 100, 1), box("b", 130, 105, 5)], 800, 600)]).toEqual(["b"]);
    expect(declutter([box("a", 100, 100, 1), box("b", 100, 140, 5)], 800, 600).size).toBe(2);
  });

  it("skips labels outside the viewport", () => {
    expect([...declutter([box("in", 50, 50, 1), box("out", -200, 50, 9), box("below", 50, 900, 9)], 800, 600)]).toEqual(["in"]);
  });

  it("leaves no two kept labels overlapping, and no clear label out, among thousands", () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const all = Array.from({ length: 3000 }, (_, i) => box(`n${i}`, rnd() * 1400, rnd() * 900, Math.floor(rnd() * 20), 30 + rnd() * 120, 12 + rnd() * 6));
    const kept = declutter(all, 1360, 840);
    const keptBoxes = all.filter((c) => kept.has(c.id));
    expect(keptBoxes.length).toBeGreaterThan(50);
    for (let i = 0; i < keptBoxes.length; i++) {
      for (let j = i + 1; j < keptBoxes.length; j++) expect(overlap(keptBoxes[i]!, keptBoxes[j]!, 2)).toBe(false);
    }
    // Greedy is maximal: a label left out inside the view overlaps one that was kept.
    for (const c of all) {
      const inside = c.x + c.w / 2 + 2 >= 0 && c.y + c.h / 2 + 2 >= 0 && c.x - c.w / 2 - 2 <= 1360 && c.y - c.h / 2 - 2 <= 840;
      if (!kept.has(c.id) && inside) expect(keptBoxes.some((k) => overlap(k, c, 2))).toBe(true);
    }
  });
});
