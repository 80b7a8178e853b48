import { describe, expect, it } from "vitest";
import { boardColumns, inbox, positionsOf } from "./board";
import type { ItemSummary } from "./types";

const it_ = (id: string, kind: ItemSummary["kind"], status: string | undefined, updated: string): ItemSummary => ({
  id,
  kind,
  title: id,
  updated,
  ...(status ? { status } : {}),
});

describe("boardColumns", () => {
  it("groups frictions by status, newest first, ignoring other kinds", () => {
    const cols = boardColumns([
      it_("a", "friction", "open", "2026-01-01"),
      it_("b", "friction", "open", "2026-02-01"),
      it_("c", "friction", "resolved", "2026-01-05"),
      it_("d", "note", undefined, "2026-03-01"),
      it_("e", "friction", "parked", "2026-01-01"),
    ]);
    expect(cols.open.map((i) => i.id)).toEqual(["b", "a"]);
    expect(cols.exploring).toEqual([]);
    expect(cols.resolved.map((i) => i.id)).toEqual(["c"]);
    expect(cols.parked.map((i) => i.id)).toEqual(["e"]);
  });
});

describe("inbox", () => {
  it("lists signals newest first and marks the unused", () => {
    const rows = inbox([it_("s1", "signal", undefined, "2026-01-01"), it_("s2", "signal", undefined, "2026-02-01"), it_("n", "note", undefined, "2026-03-01")], new Set(["s1"]));
    expect(rows.map((r) => [r.id, r.unused])).toEqual([["s2", false], ["s1", true]]);
  });
});

describe("positionsOf", () => {
  it("reads a friction's positions in a stable order", () => {
    expect(positionsOf({ positions: { Sales: "Ship", Engineering: "Wait" } })).toEqual([["Engineering", "Wait"], ["Sales", "Ship"]]);
    expect(positionsOf({})).toEqual([]);
  });
});
