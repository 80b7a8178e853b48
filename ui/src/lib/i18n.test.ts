import { describe, expect, it } from "vitest";
import { DICTIONARIES, formatDate, formatNumber, systemLocale, translate } from "./i18n";

describe("i18n", () => {
  it("has every key in both languages, none empty", () => {
    const en = Object.keys(DICTIONARIES.en).sort();
    expect(Object.keys(DICTIONARIES.sv).sort()).toEqual(en);
    for (const l of ["sv", "en"] as const) for (const k of en) expect(DICTIONARIES[l][k as keyof typeof DICTIONARIES.en].length).toBeGreaterThan(0);
  });
  it("fills placeholders and switches language", () => {
    expect(translate("en", "inbox.make.new", { n: 3 })).toBe("New insight from 3 signals");
    expect(translate("sv", "inbox.make.new", { n: 3 })).toBe("Ny insikt av 3 signaler");
    expect(translate("en", "inbox.make.new", { n: 1 })).toBe("New insight from 1 signal");
    expect(translate("sv", "sync.conflicts", { n: 1 })).toBe("1 konflikt");
    expect(translate("en", "sync.conflicts", { n: 2 })).toBe("2 conflicts");
    expect(translate("en", "import.records.count", { path: "hits[]", records: 1, columns: 19 })).toBe("hits[] (1 record, 19 columns)");
    expect(translate("sv", "nav.friction")).toBe("Friktioner");
  });
  it("formats dates and numbers in the chosen locale", () => {
    expect(formatDate("sv", "2026-09-14")).toMatch(/14 sep\.? 2026/);
    expect(formatDate("en", "2026-09-14")).toMatch(/14 Sept? 2026/);
    expect(formatDate("en", "not a date")).toBe("not a date");
    expect(formatNumber("sv", 12345).replace(/\s/g, " ")).toBe("12 345");
    expect(formatNumber("en", 12345)).toBe("12,345");
  });
  it("picks Swedish for any Swedish system language", () => {
    expect(systemLocale(["sv-FI", "en"])).toBe("sv");
    expect(systemLocale(["en-US"])).toBe("en");
  });
});
