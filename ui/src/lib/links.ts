// Editor helpers for link completion and title matching. Pure functions.
import { RELS, type Rel } from "./bindings";

/** The partial target being typed after an unclosed `[[` (or `![[`), or null when not inside one. */
export function wikilinkQuery(before: string): string | null {
  const open = before.lastIndexOf("[[");
  if (open < 0) return null;
  const rest = before.slice(open + 2);
  if (rest.includes("]]") || rest.includes("\n") || rest.includes("|") || rest.includes("#")) return null;
  return rest;
}

/** The relation word being typed at the start of a line (`evid` in `- evid`), or null. */
export function relQuery(lineBefore: string): string | null {
  const m = /^\s*(?:[-*+]\s+)?([a-z][a-z-]*)$/.exec(lineBefore);
  if (!m) return null;
  const word = m[1] ?? "";
  return RELS.some((r) => r.startsWith(word)) ? word : null;
}

export function relsMatching(word: string): Rel[] {
  return RELS.filter((r) => r.startsWith(word));
}

/** Unicode's White_Space, which Rust's `split_whitespace` splits at (JavaScript's `\s` adds U+FEFF and lacks U+0085). */
const WHITE_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/**
 * Obsidian's matching key: case-insensitive, whitespace collapsed. The window's copy of
 * `model::title_key`, run on every keystroke; `links.test.ts` holds it to the core's keys of a
 * list of titles generated from Rust (./title-keys.generated.ts).
 */
export function titleKey(s: string): string {
  return s
    .split(WHITE_SPACE)
    .filter((w) => w !== "")
    .join(" ")
    .toLowerCase();
}

/**
 * Ranks titles against a query: exact, then prefix, then a word starting with it, then containing
 * it; ties by shorter title. An empty query keeps the order given.
 */
export function rankTitles<T extends { title: string }>(query: string, items: readonly T[], limit = 20): T[] {
  const q = titleKey(query);
  if (!q) return items.slice(0, limit);
  const scored: { item: T; score: number }[] = [];
  for (const item of items) {
    const k = titleKey(item.title);
    let score: number;
    if (k === q) score = 0;
    else if (k.startsWith(q)) score = 1;
    else if (k.split(/[\s\-_/]+/).some((w) => w.startsWith(q))) score = 2;
    else if (k.includes(q)) score = 3;
    else continue;
    scored.push({ item, score });
  }
  scored.sort((a, b) => a.score - b.score || a.item.title.length - b.item.title.length);
  return scored.slice(0, limit).map((s) => s.item);
}
