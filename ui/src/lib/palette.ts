// The palette's query: what the user typed plus the kind filter chip, in the core's query syntax.
import type { Kind, SearchHit } from "./types";

export function paletteQuery(typed: string, kind: Kind | null): string {
  const q = typed.trim();
  if (!kind) return q;
  // The chip adds a filter unless the user typed one for kind already.
  return /(^|\s)-?kind:/.test(q) ? q : `${q} kind:${kind}`.trim();
}

/** Title matches first (a half-typed word), then the full-text hits, each item once. */
export function mergeHits(titles: readonly SearchHit[], hits: readonly SearchHit[]): SearchHit[] {
  const byId = new Map(hits.map((h) => [h.id, h]));
  const out: SearchHit[] = titles.map((t) => byId.get(t.id) ?? t);
  const seen = new Set(out.map((h) => h.id));
  for (const h of hits) if (!seen.has(h.id)) out.push(h);
  return out;
}
