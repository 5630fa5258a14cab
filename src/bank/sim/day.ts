import type { Currency } from '../../money/index.js';
import type { SimDayPayout } from '../../psp/sim/settlement.js';
import type { BankEntry, BankStatement, EntryDirection } from '../types.js';
import { simAccountChargeMinor, simBankIban, simBankReference, simStatementId } from './account.js';
import { arrivalDay } from './calendar.js';

/** A transfer the simulated PSP made to a seller (sim_payouts, succeeded): the bank debits it the day it was made. */
export interface SimSellerPayout {
  payoutId: string;
  sellerId: string;
  amountMinor: bigint;
  currency: Currency;
  /** ISO 8601 UTC. */
  createdAt: string;
}

/** What the simulated bank knows, read from the simulated PSP's state file. */
export interface SimBankFacts {
  /** Every payout the PSP made for the statement day and the days before (a payout never arrives before it is made). */
  pspPayouts: readonly SimDayPayout[];
  /** Every succeeded seller payout made up to the end of the statement day. */
  sellerPayouts: readonly SimSellerPayout[];
}

/** What the bank booked on one day in one currency, before any injected discrepancy. */
interface DayBookings {
  credits: SimDayPayout[];
  debits: SimSellerPayout[];
}

const SIM_PSP_NAME = 'SIM PSP';
const ACCOUNT_CHARGE_REMITTANCE = 'ACCOUNT MAINTENANCE CHARGE';

function pspPayoutRemittance(batchId: string): string {
  return `SIM PSP PAYOUT ${batchId}`;
}

/**
 * The bank's true statements for `date`, one per currency the account has ever moved in up to
 * that day, in currency order: the PSP payouts arriving that day (oldest batch first), the seller
 * payouts leaving it (in the order made), the account charge when anything moved; the opening
 * balance is everything booked on earlier days, the closing balance adds the day's entries.
 */
export function trueStatements(
  facts: SimBankFacts,
  date: string,
  delayDays: number,
): BankStatement[] {
  const byDay = bookingsByDay(facts, date, delayDays);
  const openingMinor = new Map<Currency, bigint>();
  for (const [key, bookings] of byDay) {
    const [day, currency] = splitKey(key);
    if (day < date)
      openingMinor.set(currency, (openingMinor.get(currency) ?? 0n) + netMinor(bookings, currency));
  }
  const currencies = [...new Set([...byDay.keys()].map((key) => splitKey(key)[1]))].sort();
  return currencies.map((currency) => {
    const entries = dayEntries(byDay.get(dayKey(date, currency)), date, currency);
    return balancedStatement(date, currency, openingMinor.get(currency) ?? 0n, entries);
  });
}

/** A statement of the simulated bank whose closing balance is its opening plus its entries. */
export function balancedStatement(
  date: string,
  currency: Currency,
  openingMinor: bigint,
  entries: BankEntry[],
): BankStatement {
  const closingMinor = entries.reduce((sum, entry) => sum + signedMinor(entry), openingMinor);
  return {
    header: {
      line: 0,
      statementId: simStatementId(date, currency),
      account: simBankIban(currency),
      currency,
      opening: { amountMinor: openingMinor, date },
    },
    entries,
    footer: { closing: { amountMinor: closingMinor, date }, line: 0 },
  };
}

export function signedMinor(entry: Pick<BankEntry, 'direction' | 'amountMinor'>): bigint {
  return entry.direction === 'credit' ? entry.amountMinor : -entry.amountMinor;
}

function bookingsByDay(
  facts: SimBankFacts,
  date: string,
  delayDays: number,
): Map<string, DayBookings> {
  const byDay = new Map<string, DayBookings>();
  const at = (day: string, currency: Currency): DayBookings => {
    const key = dayKey(day, currency);
    let bookings = byDay.get(key);
    if (!bookings) byDay.set(key, (bookings = { credits: [], debits: [] }));
    return bookings;
  };
  for (const payout of facts.pspPayouts) {
    const arrival = arrivalDay(payout.date, delayDays);
    if (arrival <= date) at(arrival, payout.currency).credits.push(payout);
  }
  for (const payout of facts.sellerPayouts) {
    const day = payout.createdAt.slice(0, 10);
    if (day <= date) at(day, payout.currency).debits.push(payout);
  }
  return byDay;
}

function netMinor(bookings: DayBookings, currency: Currency): bigint {
  const creditsMinor = bookings.credits.reduce((sum, payout) => sum + payout.amountMinor, 0n);
  const debitsMinor = bookings.debits.reduce((sum, payout) => sum + payout.amountMinor, 0n);
  const chargeMinor =
    bookings.credits.length + bookings.debits.length > 0 ? simAccountChargeMinor(currency) : 0n;
  return creditsMinor - debitsMinor - chargeMinor;
}

function dayEntries(
  bookings: DayBookings | undefined,
  date: string,
  currency: Currency,
): BankEntry[] {
  if (!bookings || bookings.credits.length + bookings.debits.length === 0) return [];
  let sequence = 0;
  const next = () => simBankReference(date, currency, ++sequence);
  const credits = [...bookings.credits].sort((a, b) => compare(a.batchId, b.batchId));
  const debits = [...bookings.debits].sort(
    (a, b) => compare(a.createdAt, b.createdAt) || compare(a.payoutId, b.payoutId),
  );
  return [
    ...credits.map((payout) =>
      simEntry({
        date,
        currency,
        direction: 'credit',
        amountMinor: payout.amountMinor,
        reference: next(),
        endToEndId: payout.batchId,
        remittance: pspPayoutRemittance(payout.batchId),
        counterparty: SIM_PSP_NAME,
      }),
    ),
    ...debits.map((payout) =>
      simEntry({
        date,
        currency,
        direction: 'debit',
        amountMinor: payout.amountMinor,
        reference: next(),
        endToEndId: payout.payoutId,
        remittance: `SELLER PAYOUT ${payout.payoutId}`,
        counterparty: payout.sellerId,
      }),
    ),
    simEntry({
      date,
      currency,
      direction: 'debit',
      amountMinor: simAccountChargeMinor(currency),
      reference: next(),
      endToEndId: null,
      remittance: ACCOUNT_CHARGE_REMITTANCE,
      counterparty: null,
      bankCharge: true,
    }),
  ];
}

export interface SimEntrySpec {
  date: string;
  currency: Currency;
  direction: EntryDirection;
  amountMinor: bigint;
  reference: string;
  endToEndId: string | null;
  remittance: string;
  counterparty: string | null;
  bankCharge?: boolean;
}

/** One booked entry as the simulated bank writes it (`line` 0: not read from a file). */
export function simEntry(spec: SimEntrySpec): BankEntry {
  return {
    line: 0,
    direction: spec.direction,
    amountMinor: spec.amountMinor,
    currency: spec.currency,
    bookingDate: spec.date,
    valueDate: spec.date,
    accountServicerRef: spec.reference,
    typeCode: null,
    bankCharge: spec.bankCharge ?? false,
    reversal: false,
    transactions: [
      {
        amountMinor: null,
        endToEndId: spec.endToEndId,
        remittance: spec.remittance,
        counterparty: spec.counterparty,
      },
    ],
  };
}

const dayKey = (day: string, currency: Currency): string => `${day} ${currency}`;
const splitKey = (key: string): [string, Currency] => key.split(' ') as [string, Currency];
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
