// The lists: sort orders, range selection and the window of rows a virtual list draws. Pure functions.
import type { ItemSummary } from "./types";

export const SORTS = ["newest", "observed", "customer", "source"] as const;
export type Sort = (typeof SORTS)[number];

const text = (s: string | undefined) => (s ?? "").toLocaleLowerCase();

/**
 * Items in a sort order: newest (last changed) first; observed (the day a signal was heard, newest
 * first); customer or source (A–Z, those without last, newest first within). Stable.
 */
export function sortItems(items: readonly ItemSummary[], sort: Sort): ItemSummary[] {
  const newest = (a: ItemSummary, b: ItemSummary) => b.updated.localeCompare(a.updated) || (a.id < b.id ? 1 : -1);
  const out = items.slice();
  if (sort === "newest") return out.sort(newest);
  if (sort === "observed") return out.sort((a, b) => (b.observed ?? "").localeCompare(a.observed ?? "") || newest(a, b));
  const key = (i: ItemSummary) => text(sort === "customer" ? i.customer : i.source);
  return out.sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    if (!x !== !y) return x ? -1 : 1;
    return x.localeCompare(y) || newest(a, b);
  });
}

/** The ids from `anchor` to `target` in the order shown, both included (Shift+click, Shift+↓). */
export function rangeIds(order: readonly string[], anchor: string, target: string): string[] {
  const a = order.indexOf(anchor);
  const b = order.indexOf(target);
  if (a < 0 || b < 0) return b < 0 ? [] : [target];
  const [lo, hi] = a <= b ? [a, b] : [b, a];
  return order.slice(lo, hi + 1);
}

/** The rows a virtual list draws: those in view and `overscan` more on each side. */
export function windowOf(scrollTop: number, viewport: number, rowHeight: number, count: number, overscan = 8): { start: number; end: number } {
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const visible = Math.ceil(Math.max(viewport, rowHeight) / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start, end: Math.max(start, end) };
}
