import { describe, expect, it } from "vitest";
import { LayoutCache, layoutKey } from "./layout";

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
    const p = (x: number) => ({ a: { x, y: 0 } });
    cache.put("one", p(1));
    cache.put("two", p(2));
    expect(cache.get("one")).toEqual(p(1)); // now the most recent
    cache.put("three", p(3));
    expect(cache.get("two")).toBeUndefined();
    expect(cache.get("one")).toEqual(p(1));
    expect(cache.get("three")).toEqual(p(3));
  });
});
