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
