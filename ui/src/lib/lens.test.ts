import { describe, expect, it } from "vitest";
import { barChart, byRecent, heat, niceMax, pairKey, percent } from "./lens";

describe("lens helpers", () => {
  it("keys a pair the same either way round", () => {
    expect(pairKey("Sales", "Engineering")).toBe(pairKey("Engineering", "Sales"));
    expect(pairKey("A", "B")).not.toBe(pairKey("A", "C"));
  });
  it("gives no heat to an empty pair and full heat to the busiest", () => {
    expect(heat(0, 10)).toBe(0);
    expect(heat(10, 10)).toBe(1);
    expect(heat(1, 100)).toBeGreaterThan(0);
    expect(heat(1, 100)).toBeLessThan(heat(50, 100));
  });
  it("shows a share as a percentage", () => {
    expect(percent(0.456)).toBe("46 %");
    expect(percent(null)).toBe("–");
  });
});

describe("the signal-to-decision chart", () => {
  it("rounds the axis up to a readable number", () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(3)).toBe(5);
    expect(niceMax(1)).toBe(1);
    expect(niceMax(17)).toBe(20);
    expect(niceMax(21)).toBe(25);
    expect(niceMax(0.3)).toBeCloseTo(0.5);
    expect(niceMax(101)).toBe(200);
  });
  const dt = [
    { name: "2026-03", resolutions: 2, median_days: 40 },
    { name: "2026-04", resolutions: 1, median_days: 10 },
    { name: "2026-05", resolutions: 3, median_days: 0 },
  ];
  it("draws one bar per month, as tall as its median, on a 0–max axis", () => {
    const c = barChart(dt, { height: 200, top: 10, bottom: 40, slot: 40, left: 30 });
    expect(c.max).toBe(50);
    expect(c.bottom).toBe(160);
    expect(c.bars.map((b) => b.name)).toEqual(["2026-03", "2026-04", "2026-05"]);
    // 150 px of plot for 50 days: 40 days are 120 px, 10 days 30 px.
    expect(c.bars[0]!.height).toBe(120);
    expect(c.bars[0]!.y).toBe(40);
    expect(c.bars[1]!.height).toBe(30);
    expect(c.bars[1]!.y + c.bars[1]!.height).toBe(c.bottom);
    // Zero days is a line on the axis, not nothing.
    expect(c.bars[2]!.height).toBe(1);
    // Side by side, in order, none overlapping.
    expect(c.bars[1]!.x).toBeGreaterThanOrEqual(c.bars[0]!.x + c.bars[0]!.width);
    expect(c.ticks.map((t) => t.value)).toEqual([0, 12.5, 25, 37.5, 50]);
    expect(c.ticks[0]!.y).toBe(160);
    expect(c.ticks[4]!.y).toBe(10);
  });
  it("is never narrower than its minimum and grows with the groups", () => {
    expect(barChart([], { minWidth: 240 }).width).toBe(240);
    const many = Array.from({ length: 20 }, (_, i) => ({ name: `c${i}`, resolutions: 1, median_days: i }));
    expect(barChart(many, { slot: 44, left: 40 }).width).toBe(40 + 20 * 44 + 8);
  });
  it("lists decisions newest first", () => {
    const rows = [
      { decided_on: "2026-03-01", days: 5 },
      { decided_on: "2026-05-01", days: 2 },
      { decided_on: "2026-05-01", days: 9 },
    ];
    expect(byRecent(rows).map((r) => r.days)).toEqual([9, 2, 5]);
    expect(rows[0]!.days).toBe(5);
  });
});
