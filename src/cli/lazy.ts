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

/**
 * The PSP adapters (the Stripe SDK among them, the heaviest load payops has): only a command that
 * talks to a PSP or names its state file loads them, not `orders list` or `ledger balance`.
 */
export const pspFactory = lazy(() => import('../psp/factory.js'));
