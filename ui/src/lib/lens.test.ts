import { describe, expect, it } from "vitest";
import { heat, pairKey, percent } from "./lens";

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
