import { describe, expect, it } from "vitest";
import { rankTitles, relQuery, relsMatching, titleKey, wikilinkQuery } from "./links";
import { TITLE_KEYS } from "./title-keys.generated";

describe("wikilinkQuery", () => {
  it("finds the partial target after an unclosed [[", () => {
    expect(wikilinkQuery("see [[Rel")).toBe("Rel");
    expect(wikilinkQuery("see ![[")).toBe("");
    expect(wikilinkQuery("see [[A]] and")).toBeNull();
    expect(wikilinkQuery("see [[A|ali")).toBeNull();
    expect(wikilinkQuery("plain text")).toBeNull();
  });
});

describe("relQuery", () => {
  it("completes relation names at the start of a line or list item", () => {
    expect(relQuery("evid")).toBe("evid");
    expect(relQuery("- res")).toBe("res");
    expect(relQuery("  ")).toBeNull();
    expect(relQuery("some evid")).toBeNull();
    expect(relQuery("xyz")).toBeNull();
    expect(relsMatching("re")).toEqual(["references", "resolves"]);
    expect(relsMatching("d")).toEqual(["derived-from"]);
  });
});

describe("rankTitles", () => {
  const items = ["Release cadence", "Kortare ledtid till kund", "Pre-release checks", "Cadence", "Other"].map((title) => ({ title }));
  it("puts exact, then prefix, then word, then substring matches first", () => {
    expect(rankTitles("cadence", items).map((i) => i.title)).toEqual(["Cadence", "Release cadence"]);
    expect(rankTitles("rel", items).map((i) => i.title)).toEqual(["Release cadence", "Pre-release checks"]);
    expect(rankTitles("LEDTID", items).map((i) => i.title)).toEqual(["Kortare ledtid till kund"]);
  });
  it("keeps the given order for an empty query and honours the limit", () => {
    expect(rankTitles("", items, 2).map((i) => i.title)).toEqual(["Release cadence", "Kortare ledtid till kund"]);
  });
  it("matches like Obsidian: case and inner whitespace do not matter", () => {
    expect(titleKey("  Release   Cadence ")).toBe("release cadence");
  });
});

describe("titleKey", () => {
  it("makes the key the core makes of every title (Swedish, other scripts, every kind of whitespace)", () => {
    expect(TITLE_KEYS.length).toBeGreaterThan(10);
    for (const [title, key] of TITLE_KEYS) expect([title, titleKey(title)]).toEqual([title, key]);
  });
});
