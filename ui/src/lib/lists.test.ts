import { describe, expect, it } from "vitest";
import { rangeIds, sortItems, windowOf } from "./lists";
import type { ItemSummary } from "./types";

const s = (id: string, updated: string, observed?: string, customer?: string, source?: string): ItemSummary => ({
  id, kind: "signal", title: id, updated, observed, customer, source,
});

describe("sortItems", () => {
  const items = [
    s("a", "2026-12-01T10:00:00Z", "2021-09-30", "Acme", "support"),
    s("b", "2026-12-01T11:00:00Z", "2023-01-02", undefined, "interview"),
    s("c", "2026-12-01T09:00:00Z", "2019-05-05", "beta", undefined),
  ];
  it("sorts by newest, observed, customer and source", () => {
    expect(sortItems(items, "newest").map((i) => i.id)).toEqual(["b", "a", "c"]);
    expect(sortItems(items, "observed").map((i) => i.id)).toEqual(["b", "a", "c"]);
    expect(sortItems(items, "customer").map((i) => i.id)).toEqual(["a", "c", "b"]);
    expect(sortItems(items, "source").map((i) => i.id)).toEqual(["b", "a", "c"]);
  });
});

describe("rangeIds", () => {
  it("takes the rows between anchor and target, either way", () => {
    expect(rangeIds(["a", "b", "c", "d"], "b", "d")).toEqual(["b", "c", "d"]);
    expect(rangeIds(["a", "b", "c", "d"], "c", "a")).toEqual(["a", "b", "c"]);
    expect(rangeIds(["a", "b"], "x", "b")).toEqual(["b"]);
  });
});

describe("windowOf", () => {
  it("draws the rows in view and a few more, never past the ends", () => {
    expect(windowOf(0, 400, 40, 100_000, 5)).toEqual({ start: 0, end: 16 });
    expect(windowOf(40 * 50_000, 400, 40, 100_000, 5)).toEqual({ start: 49_995, end: 50_016 });
    expect(windowOf(40 * 99_999, 400, 40, 100_000, 5)).toEqual({ start: 99_994, end: 100_000 });
    expect(windowOf(0, 400, 40, 0)).toEqual({ start: 0, end: 0 });
  });
});
