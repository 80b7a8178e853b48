import { describe, expect, it } from "vitest";
import { fitView, followTransform, MAX_ZOOM, NodeGrid, zoomAround, type BigNode, type Viewport } from "./bigmap";

/** Where model point `m` appears on screen at view `v`. */
const screen = (v: Viewport, m: { x: number; y: number }) => ({ x: m.x * v.zoom + v.pan.x, y: m.y * v.zoom + v.pan.y });

/** Applies a "translate(x, y) scale(s)" transform (origin at 0, 0) to a point. */
function apply(t: string, p: { x: number; y: number }) {
  if (!t) return p;
  const m = /translate\((-?[\d.e-]+)px, (-?[\d.e-]+)px\) scale\((-?[\d.e-]+)\)/.exec(t);
  if (!m) throw new Error(`not a transform: ${t}`);
  const [x, y, s] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return { x: p.x * s + x, y: p.y * s + y };
}

describe("followTransform", () => {
  it("moves every point of a picture drawn at one view to where it belongs at another", () => {
    const drawn: Viewport = { zoom: 0.5, pan: { x: 40, y: -20 } };
    const now: Viewport = { zoom: 1.25, pan: { x: -300, y: 75 } };
    const t = followTransform(drawn, now);
    for (const m of [{ x: 0, y: 0 }, { x: 100, y: -40 }, { x: -3000, y: 2500 }]) {
      const got = apply(t, screen(drawn, m));
      const want = screen(now, m);
      expect(got.x).toBeCloseTo(want.x, 6);
      expect(got.y).toBeCloseTo(want.y, 6);
    }
    expect(followTransform(drawn, drawn)).toBe("");
  });
});

describe("fitView", () => {
  it("shows every point inside the padding, and never zooms a small map past legibility", () => {
    const points = [{ x: -500, y: 100 }, { x: 2500, y: 900 }, { x: 300, y: -700 }];
    const v = fitView(points, 1000, 600, 30);
    for (const p of points) {
      const s = screen(v, p);
      expect(s.x).toBeGreaterThanOrEqual(30);
      expect(s.x).toBeLessThanOrEqual(970);
      expect(s.y).toBeGreaterThanOrEqual(30);
      expect(s.y).toBeLessThanOrEqual(570);
    }
    expect(fitView([{ x: 0, y: 0 }, { x: 10, y: 10 }], 1000, 600).zoom).toBe(1.6);
    expect(fitView([], 1000, 600).zoom).toBe(1);
  });
});

describe("zoomAround", () => {
  it("keeps the point under the cursor where it is, within the zoom limits", () => {
    const v: Viewport = { zoom: 0.8, pan: { x: 12, y: -30 } };
    const cursor = { x: 400, y: 250 };
    const model = { x: (cursor.x - v.pan.x) / v.zoom, y: (cursor.y - v.pan.y) / v.zoom };
    const z = zoomAround(v, 1.7, cursor.x, cursor.y);
    expect(z.zoom).toBeCloseTo(1.36);
    expect(screen(z, model).x).toBeCloseTo(cursor.x);
    expect(screen(z, model).y).toBeCloseTo(cursor.y);
    expect(zoomAround(v, 1000, 0, 0).zoom).toBe(MAX_ZOOM);
  });
});

describe("NodeGrid", () => {
  const node = (id: string, x: number, y: number, size: number): BigNode => ({ id, kind: "note", label: id, x, y, size, degree: 0 });
  const nodes = [node("a", 0, 0, 20), node("b", 15, 0, 10), node("c", 500, -400, 30), node("d", 63, 63, 10)];
  const grid = new NodeGrid(nodes);

  it("finds the node under a point, the nearest centre when discs overlap", () => {
    expect(grid.at(-5, 3)?.id).toBe("a");
    expect(grid.at(14, 1)?.id).toBe("b");
    expect(grid.at(510, -390)?.id).toBe("c");
    // Across a bucket boundary (buckets are 64 units).
    expect(grid.at(66, 66)?.id).toBe("d");
  });

  it("finds nothing between nodes, unless the slop reaches one", () => {
    expect(grid.at(200, 200)).toBeUndefined();
    expect(grid.at(0, 14)).toBeUndefined();
    expect(grid.at(0, 14, 5)?.id).toBe("a");
  });
});

describe("visibleCount", () => {
  it("counts what is out of view or on another's spot as hidden", async () => {
    const { visibleCount } = await import("./bigmap");
    const pile = Array.from({ length: 100 }, () => ({ x: 10, y: 10 }));
    const spread = Array.from({ length: 100 }, (_, i) => ({ x: (i % 10) * 20, y: Math.floor(i / 10) * 20 }));
    expect(visibleCount(pile, { zoom: 1, pan: { x: 0, y: 0 } }, 400, 400)).toEqual({ visible: 1, hidden: 99 });
    expect(visibleCount(spread, { zoom: 1, pan: { x: 0, y: 0 } }, 400, 400)).toEqual({ visible: 100, hidden: 0 });
    // Zoomed out until they share spots; panned so half are out of view.
    expect(visibleCount(spread, { zoom: 0.05, pan: { x: 0, y: 0 } }, 400, 400).hidden).toBeGreaterThan(80);
    expect(visibleCount(spread, { zoom: 1, pan: { x: -100, y: 0 } }, 400, 400)).toEqual({ visible: 50, hidden: 50 });
  });
});
