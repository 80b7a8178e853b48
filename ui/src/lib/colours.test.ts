import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { KIND_COLORS } from "./graph";

describe("the kind palette", () => {
  // Vitest runs in ui/.
  it("is the style sheet's --k-* colours (the exports are held to the same by the core's tests)", () => {
    const css = readFileSync("src/style.css", "utf8");
    const fromCss: Record<string, string> = {};
    for (const m of css.matchAll(/--k-([a-z]+):\s*(#[0-9a-f]{6});/g)) fromCss[m[1]!] = m[2]!;
    expect(fromCss).toEqual(KIND_COLORS);
  });
});
