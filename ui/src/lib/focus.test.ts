import { describe, expect, it } from "vitest";
import { nextInTrap } from "./focus";

describe("nextInTrap", () => {
  it("moves forward and back and wraps at both ends", () => {
    const items = ["a", "b", "c"];
    expect(nextInTrap(items, "a", false)).toBe("b");
    expect(nextInTrap(items, "c", false)).toBe("a");
    expect(nextInTrap(items, "a", true)).toBe("c");
    expect(nextInTrap(items, null, false)).toBe("a");
    expect(nextInTrap(items, "outside", true)).toBe("c");
    expect(nextInTrap([], "a", false)).toBeUndefined();
  });
});
