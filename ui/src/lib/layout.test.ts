import { describe, expect, it } from "vitest";
import { extendLayout, LayoutCache, layoutKey, type Placed } from "./layout";

const req = (n: number, extraEdge = false) => ({
  nodes: Array.from({ length: n }, (_, i) => ({ id: `n${i}`, size: 10 + (i % 3) })),
  edges: [{ source: "n0", target: "n1" }, ...(extraEdge ? [{ source: "n1", target: "n2" }] : [])],
});

describe("layoutKey", () => {
  it("is the same for the same map and differs when a node, a size or an edge differs", () => {
    expect(layoutKey(req(300))).toBe(layoutKey(req(300)));
    expect(layoutKey(req(300))).not.toBe(layoutKey(req(301)));
    expect(layoutKey(req(300))).not.toBe(layoutKey(req(300, true)));
    const resized = req(300);
    resized.nodes[7] = { id: "n7", size: 30 };
    expect(layoutKey(resized)).not.toBe(layoutKey(req(300)));
    // Ids that run together differently are different maps.
    expect(layoutKey({ nodes: [{ id: "ab", size: 1 }, { id: "c", size: 1 }], edges: [] })).not.toBe(
      layoutKey({ nodes: [{ id: "a", size: 1 }, { id: "bc", size: 1 }], edges: [] }),
    );
  });
});

describe("LayoutCache", () => {
  it("keeps the most recently used layouts and forgets the oldest", () => {
    const cache = new LayoutCache(2);
    const p = (x: number): Placed => ({ positions: { a: { x, y: 0 } }, added: 0 });
    cache.put("one", p(1));
    cache.put("two", p(2));
    expect(cache.get("one")).toEqual(p(1)); // now the most recent
    cache.put("three", p(3));
    expect(cache.get("two")).toBeUndefined();
    expect(cache.get("one")).toEqual(p(1));
    expect(cache.get("three")).toEqual(p(3));
  });
});

describe("extendLayout", () => {
  // A laid-out map of 100 nodes on a grid, each linked to the next.
  const ids = Array.from({ length: 100 }, (_, i) => `n${i}`);
  const base: Placed = { positions: Object.fromEntries(ids.map((id, i) => [id, { x: (i % 10) * 100, y: Math.floor(i / 10) * 100 }])), added: 0 };
  const map = (nodes: string[], edges: [string, string][]) => ({ nodes: nodes.map((id) => ({ id, size: 10 })), edges: edges.map(([source, target]) => ({ source, target })) });
  const chain: [string, string][] = ids.slice(1).map((id, i) => [ids[i] ?? "", id]);

  it("keeps every node in its place and puts a new one beside the nodes it links to", () => {
    const got = extendLayout(base, map([...ids, "new"], [...chain, ["new", "n0"], ["new", "n1"]]));
    expect(got).toBeDefined();
    for (const id of ids) expect(got?.positions[id]).toEqual(base.positions[id]);
    const p = got?.positions.new;
    expect(p).toBeDefined();
    // Near the middle of n0 (0, 0) and n1 (100, 0): 45–75 units from it.
    const d = Math.hypot((p?.x ?? 0) - 50, p?.y ?? 0);
    expect(d).toBeGreaterThanOrEqual(45);
    expect(d).toBeLessThanOrEqual(75);
    expect(got?.added).toBe(1);
  });

  it("places a chain of new nodes off the placed one, and unlinked ones in rows beside the map", () => {
    const got = extendLayout(base, map([...ids, "a", "b", "alone"], [...chain, ["a", "n99"], ["b", "a"]]));
    const [a, b, alone] = [got?.positions.a, got?.positions.b, got?.positions.alone];
    expect(Math.hypot((a?.x ?? 0) - 900, (a?.y ?? 0) - 900)).toBeLessThanOrEqual(75);
    expect(Math.hypot((b?.x ?? 0) - (a?.x ?? 0), (b?.y ?? 0) - (a?.y ?? 0))).toBeLessThanOrEqual(75);
    expect(alone?.x).toBeGreaterThan(900);
  });

  it("is the same each time for the same maps", () => {
    const req = map([...ids, "x", "y"], [...chain, ["x", "n5"], ["y", "n50"]]);
    expect(extendLayout(base, req)).toEqual(extendLayout(base, req));
  });

  it("declines when too much is new since the last full layout, or too much of the base is gone", () => {
    // 12 new in a map of 112: more than a tenth.
    const twelve = Array.from({ length: 12 }, (_, i) => `new${i}`);
    expect(extendLayout(base, map([...ids, ...twelve], chain))).toBeUndefined();
    expect(extendLayout(base, map([...ids, ...twelve.slice(1)], chain))).toBeDefined();
    expect(extendLayout(base, map([...ids, "one"], chain))).toBeDefined();
    // Ten added before, one more now: over a tenth of the map since the last full layout.
    expect(extendLayout({ ...base, added: 10 }, map([...ids, "one"], chain))).toBeUndefined();
    // A filter keeping half the map is laid out afresh.
    expect(extendLayout(base, map(ids.slice(0, 50), chain))).toBeUndefined();
    // A few items deleted: the rest stay where they were.
    const fewer = extendLayout(base, map(ids.slice(0, 95), chain));
    expect(fewer?.positions.n3).toEqual(base.positions.n3);
    expect(Object.keys(fewer?.positions ?? {})).toHaveLength(95);
  });
});

describe("LayoutCache.extend", () => {
  it("extends the newest kept layout that fits", () => {
    const cache = new LayoutCache();
    cache.put("old", { positions: { a: { x: 0, y: 0 } }, added: 0 });
    cache.put("new", { positions: { a: { x: 5, y: 5 }, b: { x: 9, y: 9 } }, added: 0 });
    const got = cache.extend({ nodes: [{ id: "a", size: 1 }, { id: "b", size: 1 }, { id: "c", size: 1 }], edges: [{ source: "c", target: "b" }] });
    expect(got?.positions.a).toEqual({ x: 5, y: 5 });
    expect(got?.positions.c).toBeDefined();
  });
});

describe("unlinkedArea", () => {
  it("puts unlinked items beside the map, a block per kind, no two on one spot", async () => {
    const { unlinkedArea } = await import("./layout");
    const nodes = [
      ...Array.from({ length: 2500 }, (_, i) => ({ id: `s${i}`, group: "signal" })),
      ...Array.from({ length: 3 }, (_, i) => ({ id: `n${i}`, group: "note" })),
    ];
    const p = unlinkedArea(nodes, { x0: 0, y0: 0, x1: 500, y1: 300 }, ["note", "signal"]);
    const spots = new Set(Object.values(p).map((q) => `${q.x},${q.y}`));
    expect(spots.size).toBe(nodes.length);
    for (const q of Object.values(p)) expect(q.x).toBeGreaterThan(500);
    // Notes come first (the kinds' order), signals in a block below them.
    const maxNoteY = Math.max(...[0, 1, 2].map((i) => p[`n${i}`]!.y));
    const minSignalY = Math.min(...Array.from({ length: 2500 }, (_, i) => p[`s${i}`]!.y));
    expect(minSignalY).toBeGreaterThan(maxNoteY);
  });
});

describe("spreadPiles", () => {
  it("spreads an insight's signals left on one spot into a disc around it, and leaves the rest", async () => {
    const { spreadPiles } = await import("./layout");
    const p: Record<string, { x: number; y: number }> = { insight: { x: 0, y: 0 }, other: { x: 400, y: 0 } };
    for (let i = 0; i < 449; i++) p[`s${i}`] = { x: 100 + (i % 3) * 0.5, y: 50 };
    expect(spreadPiles(p)).toBe(449);
    expect(p.insight).toEqual({ x: 0, y: 0 });
    expect(p.other).toEqual({ x: 400, y: 0 });
    const pile = Array.from({ length: 449 }, (_, i) => p[`s${i}`]!);
    // No two closer than half the gap, all around the spot they shared.
    let nearest = Infinity;
    for (let i = 0; i < pile.length; i++)
      for (let j = i + 1; j < pile.length; j++) nearest = Math.min(nearest, Math.hypot(pile[i]!.x - pile[j]!.x, pile[i]!.y - pile[j]!.y));
    expect(nearest).toBeGreaterThan(8);
    for (const q of pile) expect(Math.hypot(q.x - 100.5, q.y - 50)).toBeLessThan(16 * Math.sqrt(449) + 1);
  });
});
