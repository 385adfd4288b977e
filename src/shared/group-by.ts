/** Items grouped by a key, each group in the items' order. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

/** Rows read for several reviews at once, looked up by review (grouped once; none: an empty list). */
export function byReview<T extends { review_id: string }>(rows: readonly T[]): (reviewId: string) => T[] {
  const map = groupBy(rows, (row) => row.review_id);
  return (reviewId) => map.get(reviewId) ?? [];
}
