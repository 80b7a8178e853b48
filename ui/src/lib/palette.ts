// The palette's query: what the user typed plus the kind filter chip, in the core's query syntax.
import type { Kind, SearchHit } from "./types";

export function paletteQuery(typed: string, kind: Kind | null): string {
  const q = typed.trim();
  if (!kind) return q;
  // The chip adds a filter unless the user typed one for kind already.
  return /(^|\s)-?(kind|typ):/i.test(q) ? q : `${q} kind:${kind}`.trim();
}

/** Kinds by their English and Swedish names, singular and plural (as the core's query accepts them). */
const KIND_NAMES: Record<string, Kind> = {
  note: "note", notes: "note", anteckning: "note", anteckningar: "note",
  signal: "signal", signals: "signal", signaler: "signal",
  insight: "insight", insights: "insight", insikt: "insight", insikter: "insight",
  friction: "friction", frictions: "friction", friktion: "friction", friktioner: "friction",
  resolution: "resolution", resolutions: "resolution", beslut: "resolution", "lösning": "resolution", "lösningar": "resolution",
  goal: "goal", goals: "goal", "mål": "goal",
  meeting: "meeting", meetings: "meeting", "möte": "meeting", "möten": "meeting",
};

/** The kinds a typed `kind:` (or `typ:`) filter names, so the chips can show them; empty when none is typed. */
export function typedKinds(typed: string): Kind[] {
  const out: Kind[] = [];
  for (const m of typed.matchAll(/(?:^|\s)(?:kind|typ):("[^"]*"|\S+)/gi)) {
    for (const v of m[1]!.replace(/"/g, "").split(",")) {
      const k = KIND_NAMES[v.trim().toLowerCase()];
      if (k && !out.includes(k)) out.push(k);
    }
  }
  return out;
}

/** True when the query holds filters only (`kind:friction status:resolved`): nothing to title an item with. */
export function onlyFilters(typed: string): boolean {
  const words = typed.trim().split(/\s+/).filter(Boolean);
  return words.length > 0 && words.every((w) => /^-?[\p{L}]+:/u.test(w));
}

/** Title matches first (a half-typed word), then the full-text hits, each item once. */
export function mergeHits(titles: readonly SearchHit[], hits: readonly SearchHit[]): SearchHit[] {
  const byId = new Map(hits.map((h) => [h.id, h]));
  const out: SearchHit[] = titles.map((t) => byId.get(t.id) ?? t);
  const seen = new Set(out.map((h) => h.id));
  for (const h of hits) if (!seen.has(h.id)) out.push(h);
  return out;
}
