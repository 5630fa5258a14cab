/** A money object of the JSON contract (docs/OUTPUT.md). */
export interface MoneyJson {
  amount: string;
  currency: string;
  amountMinor: string;
}

/**
 * A JSON row with its money objects read as decimal strings and their currency beside them, for
 * table-like assertions: `{account, balance: {amount: '1.00', currency: 'USD', …}}` becomes
 * `{account, currency: 'USD', balance: '1.00'}`. Each money object is checked whole on the way.
 */
export function flatMoney<T extends Record<string, unknown>>(
  row: T,
  ...keys: string[]
): Record<string, unknown> {
  const flat: Record<string, unknown> = { ...row };
  for (const key of keys) {
    const money = row[key] as MoneyJson | null | undefined;
    if (money === null || money === undefined) continue;
    if (
      typeof money.amount !== 'string' ||
      BigInt(money.amountMinor) !== BigInt(money.amount.replace('.', ''))
    )
      throw new Error(`${key}: not a money object: ${JSON.stringify(money)}`);
    flat.currency = money.currency;
    flat[key] = money.amount;
  }
  return flat;
}

export function flatMoneyRows(
  rows: readonly Record<string, unknown>[],
  ...keys: string[]
): Record<string, unknown>[] {
  return rows.map((row) => flatMoney(row, ...keys));
}
