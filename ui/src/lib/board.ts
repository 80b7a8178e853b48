// The friction board and the signal inbox: grouping and ordering. Pure functions.
import { FRICTION_STATUSES, type ItemSummary } from "./types";

export type FrictionStatus = (typeof FRICTION_STATUSES)[number];

/** Frictions in columns by status (open, exploring, resolved, parked), each newest first. */
export function boardColumns(items: readonly ItemSummary[]): Record<FrictionStatus, ItemSummary[]> {
  const cols: Record<FrictionStatus, ItemSummary[]> = { open: [], exploring: [], resolved: [], parked: [] };
  for (const it of items) {
    if (it.kind !== "friction") continue;
    const s = (FRICTION_STATUSES as readonly string[]).includes(it.status ?? "") ? (it.status as FrictionStatus) : "open";
    cols[s].push(it);
  }
  for (const s of FRICTION_STATUSES) cols[s].sort((a, b) => b.updated.localeCompare(a.updated));
  return cols;
}

/** The inbox: signals newest first, unused ones marked. */
export function inbox(items: readonly ItemSummary[], unused: ReadonlySet<string>): (ItemSummary & { unused: boolean })[] {
  return items
    .filter((i) => i.kind === "signal")
    .map((i) => ({ ...i, unused: unused.has(i.id) }))
    .sort((a, b) => b.updated.localeCompare(a.updated));
}

/** Friction positions as perspective → position pairs, in a stable order. */
export function positionsOf(fields: Record<string, unknown>): [string, string][] {
  const p = fields["positions"];
  if (!p || typeof p !== "object") return [];
  return Object.entries(p as Record<string, unknown>)
    .filter((e): e is [string, string] => typeof e[1] === "string")
    .sort((a, b) => a[0].localeCompare(b[0]));
}
