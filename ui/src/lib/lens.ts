// Small pure helpers of the lens dashboard (tested in lens.test.ts).

/** The key of an unordered pair of perspectives. */
export function pairKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}

/** A cell's heat, 0–1: 0 for none, growing with the square root so small counts still show. */
export function heat(n: number, max: number): number {
  if (n <= 0 || max <= 0) return 0;
  return Math.round(Math.min(1, 0.15 + 0.85 * Math.sqrt(n / max)) * 100) / 100;
}

/** A share 0–1 as a whole percentage, "–" when there is nothing to share. */
export function percent(share: number | null | undefined): string {
  return share === null || share === undefined ? "–" : `${Math.round(share * 100)} %`;
}

/** The top of a chart's axis: the smallest 1, 2, 2.5 or 5 × 10ⁿ at or above `v` (1 for nothing). */
export function niceMax(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) {
    // A hair of slack, so 0.3 / 0.1 rounding does not push 3 past 3.
    if (m * p >= v - p * 1e-9) return m * p;
  }
  return 10 * p;
}

export interface ChartBar {
  name: string;
  /** The median days, and how many resolutions it is over. */
  value: number;
  count: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface BarChart {
  width: number;
  height: number;
  /** The plot area inside the axes. */
  left: number;
  top: number;
  bottom: number;
  max: number;
  ticks: { value: number; y: number }[];
  bars: ChartBar[];
}

/** The geometry of a vertical bar chart of medians: one bar per group, in the order given, a
 * y axis from 0 to a round number with five ticks. `slot` is each bar's width with its gap. */
export function barChart(
  groups: readonly { name: string; resolutions: number; median_days: number }[],
  { height = 180, slot = 44, left = 40, top = 14, bottom = 40, minWidth = 240 } = {},
): BarChart {
  const max = niceMax(Math.max(0, ...groups.map((g) => g.median_days)));
  const plot = height - top - bottom;
  const width = Math.max(minWidth, left + groups.length * slot + 8);
  const y = (v: number) => top + plot - (v / max) * plot;
  const ticks = [0, 1, 2, 3, 4].map((k) => {
    const value = Math.round(((max * k) / 4) * 100) / 100;
    return { value, y: Math.round(y(value) * 10) / 10 };
  });
  const gap = Math.min(10, slot * 0.25);
  const bars = groups.map((g, i) => {
    const h = (g.median_days / max) * plot;
    return {
      name: g.name,
      value: g.median_days,
      count: g.resolutions,
      x: left + i * slot + gap / 2,
      y: Math.round((top + plot - h) * 10) / 10,
      width: slot - gap,
      // A bar of zero days still shows as a line on the axis.
      height: Math.max(1, Math.round(h * 10) / 10),
    };
  });
  return { width, height, left, top, bottom: top + plot, max, ticks, bars };
}

/** Decisions, most recent first (by decision day, then slowest first). */
export function byRecent<T extends { decided_on: string; days: number }>(rows: readonly T[]): T[] {
  return [...rows].sort((a, b) => (a.decided_on === b.decided_on ? b.days - a.days : a.decided_on < b.decided_on ? 1 : -1));
}
