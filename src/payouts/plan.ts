import { InputError, UsageError } from '../errors.js';
import {
  type Currency,
  MAX_AMOUNT_MINOR,
  MAX_MINOR,
  exponentOf,
  formatAmount,
  parseBoundedAmount,
  parseAmount,
  printable,
  toCurrency,
} from '../money/index.js';
import type { PayoutsStore } from './payouts-store.js';
import type { PayableRow } from './read-store.js';
import { type HeldSettlement, countHeld, emptyHeldSettlement } from './settle-held.js';
import type { NewPayout } from './store.js';
import { nowIso } from '../time.js';

export interface PayoutFilter {
  sellerId?: string;
  currency?: string;
  /**
   * Decimal string in major units of each payable's currency; payables below it wait. Compared
   * exactly: without --currency, "10.50" holds back a JPY payable of 10 yen and lets 11 through.
   */
  minAmount?: string;
}

export interface SkippedPayable {
  sellerId: string;
  currency: Currency;
  amountMinor: bigint;
  reason: string;
}

export interface PayoutPlan {
  payouts: NewPayout[];
  skipped: SkippedPayable[];
}

export { PAYABLES_QUERY } from './read-store.js';

/**
 * What a payout run would pay: for each seller and currency with a payable balance, one payout of
 * the whole balance. A negative balance (a refund after the seller was paid) is skipped with its
 * reason and is recovered from later releases; so is a seller whose previous payout is still open.
 */
export async function planPayouts(store: PayoutsStore, filter: PayoutFilter): Promise<PayoutPlan> {
  const currency = checkPayoutFilter(filter);
  return planOf(await store.payables({ sellerId: filter.sellerId, currency }), filter);
}

/** The plan of these payables (pure). */
function planOf(rows: readonly PayableRow[], filter: PayoutFilter): PayoutPlan {
  const plan: PayoutPlan = { payouts: [], skipped: [] };
  const minimumByCurrency = new Map<Currency, bigint>();
  const minimumOf = (rowCurrency: Currency, minAmount: string): bigint => {
    let minimumMinor = minimumByCurrency.get(rowCurrency);
    if (minimumMinor === undefined)
      minimumByCurrency.set(rowCurrency, (minimumMinor = minimumIn(minAmount, rowCurrency)));
    return minimumMinor;
  };
  for (const row of rows) {
    const rowCurrency = row.currency;
    const skip = (reason: string) =>
      plan.skipped.push({
        sellerId: row.seller_id,
        currency: rowCurrency,
        amountMinor: row.payable_minor,
        reason,
      });
    if (row.payable_minor < 0n)
      skip(
        'payable is negative (a refund or chargeback after its payout): recovered from later releases',
      );
    else if (row.open_payout !== null)
      skip(
        `payout ${row.open_payout} is still open: \`payops payout run\` retries it, \`payops dlq list\` shows dead letters`,
      );
    else if (row.iban === null)
      skip("no payout details: a pay_out event gives the seller's account");
    else if (
      filter.minAmount !== undefined &&
      row.payable_minor < minimumOf(rowCurrency, filter.minAmount)
    )
      skip(`below --min-amount ${filter.minAmount}`);
    else if (row.payable_minor > MAX_AMOUNT_MINOR) {
      skip(
        `more than one payout may carry (${formatAmount(MAX_AMOUNT_MINOR, rowCurrency)} ${rowCurrency}), the per-amount limit of every PSP request: pay it out by hand in parts`,
      );
    } else
      plan.payouts.push({
        sellerId: row.seller_id,
        currency: rowCurrency,
        amountMinor: row.payable_minor,
        destination: row.iban,
      });
  }
  return plan;
}

/**
 * Checks the filter's flags before anything is read: the currency, and --min-amount as a decimal
 * amount of at least zero (in that currency's decimals when one is given). Returns the currency.
 */
export function checkPayoutFilter(
  filter: Pick<PayoutFilter, 'currency' | 'minAmount'>,
): Currency | undefined {
  const currency =
    filter.currency === undefined ? undefined : toCurrency(filter.currency, '--currency');
  if (filter.minAmount !== undefined) {
    if (!/^[0-9]{1,19}(\.[0-9]{1,4})?$/.test(filter.minAmount)) {
      throw new UsageError(
        `--min-amount: "${printable(filter.minAmount)}" is not an amount such as "10.00" (major units, at least zero)`,
      );
    }
    // Naming the currency states the precision: more decimals than it has is a mistake to refuse.
    if (currency !== undefined) strictMinimumIn(filter.minAmount, currency);
  }
  return currency;
}

/** Plans and creates the payouts in one unit of work: amounts and keys are fixed from here on. */
export async function createPayouts(
  store: PayoutsStore,
  filter: PayoutFilter,
  psp: string,
  at: string,
): Promise<PayoutPlan & { payoutIds: string[] }> {
  const currency = checkPayoutFilter(filter);
  return store.createPayouts(
    { sellerId: filter.sellerId, currency },
    (rows) => planOf(rows, filter),
    psp,
    at,
  );
}

/**
 * What `payout run` would do, nothing written: held pay_outs settled and the payouts planned in one
 * unit of work that is rolled back, so the plan includes what the settling makes payable.
 */
export async function previewPayouts(
  store: PayoutsStore,
  filter: PayoutFilter,
  now: () => string = nowIso,
): Promise<{ heldPayOuts: HeldSettlement; plan: PayoutPlan }> {
  const currency = checkPayoutFilter(filter);
  const preview = await store.previewPayouts(
    { sellerId: filter.sellerId, currency },
    (rows) => planOf(rows, filter),
    now,
  );
  const heldPayOuts = emptyHeldSettlement();
  for (const { waiting, outcome } of preview.held) countHeld(heldPayOuts, waiting, outcome);
  return { heldPayOuts, plan: preview.plan };
}

function strictMinimumIn(minAmount: string, currency: Currency): bigint {
  return flagError(() => parseBoundedAmount(minAmount, currency, '--min-amount'));
}

/**
 * The smallest payable in `currency` that is not below `minAmount`. A minimum with more decimals
 * than the currency has (one --min-amount over wallets in several currencies) is met from the next
 * whole minor unit up: an exact comparison, not a rounding of money.
 */
function minimumIn(minAmount: string, currency: Currency): bigint {
  const exponent = exponentOf(currency);
  const [units, decimals = ''] = minAmount.split('.') as [string, string?];
  const kept = decimals.slice(0, exponent);
  let minimumMinor: bigint;
  try {
    minimumMinor = parseAmount(kept === '' ? units : `${units}.${kept}`, currency, '--min-amount');
  } catch (error) {
    // checkPayoutFilter let only digits through and the decimals were cut to the currency's, so
    // the one refusal left is a minimum beyond the largest balance: it holds every payable back.
    if (error instanceof InputError) return MAX_MINOR + 1n;
    throw error;
  }
  return /[1-9]/.test(decimals.slice(exponent)) ? minimumMinor + 1n : minimumMinor;
}

/** A flag's value that does not parse is the caller's usage mistake (exit 2), not bad input data. */
function flagError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof InputError) throw new UsageError(error.message);
    throw error;
  }
}
