/**
 * `items.map(work)` with at most `limit` calls in flight, results in the order of `items`: how
 * the PSP adapters send a batch, and how `orders sync` looks pending orders up. The first call
 * that throws rejects the whole map, and no call is started after it (the command is stopping);
 * calls already in flight run to their end, since a request on the wire cannot be taken back.
 */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(
      `mapConcurrently: limit must be a whole number of at least 1 (got ${limit})`,
    );
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index] as T, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
