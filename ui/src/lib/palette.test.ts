import { describe, expect, it } from "vitest";
import { mergeHits, onlyFilters, paletteQuery, typedKinds } from "./palette";
import { sanitizeSnippet } from "./markdown";

describe("paletteQuery", () => {
  it("adds the kind chip as a filter", () => {
    expect(paletteQuery(" release ", null)).toBe("release");
    expect(paletteQuery("release", "friction")).toBe("release kind:friction");
    expect(paletteQuery("", "signal")).toBe("kind:signal");
    expect(paletteQuery("x kind:note", "signal")).toBe("x kind:note");
  });
});

describe("sanitizeSnippet", () => {
  it("keeps the match marks and nothing else", () => {
    expect(sanitizeSnippet("a <b>match</b> &lt;script&gt;")).toBe("a <b>match</b> &lt;script&gt;");
    expect(sanitizeSnippet('<img src=x onerror="alert(1)"><b onclick="x">m</b>')).toBe("<b>m</b>");
  });
});

describe("mergeHits", () => {
  const h = (id: string, snippet = "") => ({ id, kind: "note" as const, title: id, score: 1, snippet });
  it("puts title matches first, keeps their snippets from the index, and lists each item once", () => {
    expect(mergeHits([h("b"), h("c")], [h("a", "x"), h("b", "<b>y</b>")])).toEqual([h("b", "<b>y</b>"), h("c"), h("a", "x")]);
  });
});

describe("typed filters", () => {
  it("finds the kinds a typed kind: or typ: filter names, in English or Swedish", () => {
    expect(typedKinds("S3A kind:signal")).toEqual(["signal"]);
    expect(typedKinds("typ:friktion,beslut")).toEqual(["friction", "resolution"]);
    expect(typedKinds("kind:blog pricing")).toEqual([]);
    expect(typedKinds("pricing")).toEqual([]);
    expect(paletteQuery("typ:friktion", "signal")).toBe("typ:friktion");
  });
  it("knows a query of filters only, which makes no title", () => {
    expect(onlyFilters("kind:friction status:resolved")).toBe(true);
    expect(onlyFilters("status:löst")).toBe(true);
    expect(onlyFilters("kind:friction pricing")).toBe(false);
    expect(onlyFilters("")).toBe(false);
  });
});
