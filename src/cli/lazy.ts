/**
 * A module loaded once, on first use: a command group's actions (and what they import) cost
 * nothing to `payops --help`, to completion, or to a command of another group.
 */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    loaded ??= load();
    return loaded;
  };
}
