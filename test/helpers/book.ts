import type { Database } from '../../src/db/index.js';
import { Ledger, type EntryRequest, type PostingRequest } from '../../src/ledger/index.js';
import { type Currency, toCurrency } from '../../src/money/index.js';

/**
 * A deterministic, export-hostile book: a few thousand journal transactions over ~40 accounts
 * under all five roots, in currencies with 0, 2 and 3 decimals, with multi-currency transactions,
 * backdated and time-zoned effective times, reversals, and descriptions, keys and metadata full of
 * characters that plain-text journal formats and spreadsheets treat specially. Same seed, same book.
 */

/** mulberry32: small, fast, good enough to make test data, and the same on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const USD = toCurrency('USD');
const EUR = toCurrency('EUR');
const JPY = toCurrency('JPY');
const KWD = toCurrency('KWD');
export const BOOK_CURRENCIES: readonly Currency[] = [USD, EUR, JPY, KWD];
const ALL = BOOK_CURRENCIES;

/**
 * Account names exercise "_", "-", ".", digits, upper case, a leading digit, a bare root, and
 * parents with postings of their own; some accounts hold several currencies.
 */
export const BOOK_ACCOUNTS: readonly { name: string; currencies: readonly Currency[] }[] = [
  { name: 'assets:bank:operating', currencies: ALL },
  { name: 'assets:bank:eur.reserve-2', currencies: [EUR] },
  { name: 'assets:bank:kw.nbk_01', currencies: [KWD] },
  { name: 'assets:bank:jp.mufg', currencies: [JPY] },
  { name: 'assets:bank:BNP-Paribas', currencies: [EUR] },
  { name: 'assets:psp:sim:receivable', currencies: ALL },
  { name: 'assets:psp:stripe:receivable', currencies: [USD, EUR] },
  { name: 'assets:psp:adyen.eu:receivable', currencies: [EUR, USD] },
  { name: 'assets:cash.float', currencies: [USD, EUR] },
  { name: 'assets:fx:clearing', currencies: ALL },
  { name: 'assets:3rd-party:escrow_2026', currencies: [USD, JPY] },
  { name: 'assets:receivables', currencies: [USD] },
  { name: 'assets:receivables:2026.q1', currencies: [USD] },
  { name: 'liabilities:sellers:seller_7:pending', currencies: [USD] },
  { name: 'liabilities:sellers:seller_7:payable', currencies: [USD] },
  { name: 'liabilities:sellers:seller_12:pending', currencies: [EUR, USD] },
  { name: 'liabilities:sellers:seller_12:payable', currencies: [EUR, USD] },
  { name: 'liabilities:sellers:seller-x.3:pending', currencies: [JPY] },
  { name: 'liabilities:sellers:seller-x.3:payable', currencies: [JPY] },
  { name: 'liabilities:sellers:s_900:pending', currencies: [KWD] },
  { name: 'liabilities:sellers:s_900:payable', currencies: [KWD] },
  { name: 'liabilities:sellers:0042:pending', currencies: [EUR] },
  { name: 'liabilities:tax:vat.eu', currencies: [EUR] },
  { name: 'liabilities:tax:sales_tax-us', currencies: [USD] },
  { name: 'liabilities:loans:bank_2', currencies: [USD, KWD] },
  { name: 'revenue:platform-fees', currencies: ALL },
  { name: 'revenue:fx-gains', currencies: ALL },
  { name: 'revenue:interest.2026', currencies: [USD, KWD] },
  { name: 'revenue:subscriptions:tier_1', currencies: [USD, EUR, JPY] },
  { name: 'expenses:psp-fees', currencies: ALL },
  { name: 'expenses:psp-fees:sim', currencies: [USD, EUR] },
  { name: 'expenses:reconciliation:adjustments', currencies: ALL },
  { name: 'expenses:reconciliation:write-offs', currencies: ALL },
  { name: 'expenses:bank_charges', currencies: [USD, EUR, KWD] },
  { name: 'expenses:3rd-party.services', currencies: [USD, JPY] },
  { name: 'expenses:fx-losses', currencies: ALL },
  { name: 'expenses:payroll:team-a.v2', currencies: [EUR] },
  { name: 'equity', currencies: [USD, KWD] }, // a bare root is a valid payops account
  { name: 'equity:opening', currencies: ALL },
  { name: 'equity:retained_earnings', currencies: [USD, EUR] },
  { name: 'equity:fx.translation-adj', currencies: ALL },
  { name: 'equity:owner_1:capital', currencies: [KWD, JPY] },
];

/** Used once and reversed: its balance returns to zero, which every tool leaves out. */
const SUSPENSE = 'expenses:suspense_tmp';

export const TRICKY_DESCRIPTIONS: readonly string[] = [
  'Invoice 2026-17; paid by wire',
  'Quote "x" and "y"',
  'back\\slash and trailing\\',
  '=HYPERLINK("x")',
  '=1+2',
  '+cmd|calc',
  '-neg start',
  '@SUM(A1)',
  'Café Zürich – crème brûlée ✓',
  'Payout to 佐藤 商店',
  'euro € and 💶',
  '(dup) parenthesised start',
  '* starred',
  '! banged',
  'payee | note',
  'comma, separated, text',
  "it's an apostrophe",
  '  padded  with  spaces  ',
  'tag-like note:value, other:thing',
  'ratio: 1:2 and fe80::1',
  '#hash and %percent and {braces} [brackets]',
  '2026-01-01 looks like a date',
  '; only a comment',
  '',
  'Très long libellé; '.repeat(30).slice(0, 500),
];

const PLAIN_DESCRIPTIONS = [
  'Capture',
  'Payout',
  'Refund',
  'Settlement',
  'Fee',
  'Transfer',
  'Accrual',
  'Adjustment',
];
const KINDS = [
  'manual',
  'adjustment',
  'transfer',
  'accrual',
  'fx.convert',
  'payin.capture',
  'payout.sent',
  'settlement.received',
];
const TRICKY_VALUES = [
  'a, b',
  'x:y',
  '"quoted"',
  'Café',
  '=cmd()',
  'C:\\path\\',
  'ratio: 1:2',
  'fe80::1',
  'semi; colon',
  '  spaced  ',
];
const TRICKY_KEYS = [
  'chk_0001;dup',
  'k "quoted"',
  '=1+1',
  'a,b,c',
  'C:\\x\\',
  'Café-1',
  'key: value',
];

const DAY_MS = 86_400_000;
export const BOOK_START_MS = Date.parse('2026-01-01T00:00:00Z');
export const BOOK_DAYS = 180;

export interface BookSummary {
  transactions: number;
  reversals: number;
  backdated: number;
  multiCurrency: number;
  /** Transactions whose metadata reuses a name the exports write themselves. */
  reservedMetadata: number;
}

export interface BookOptions {
  seed: number;
  /** Transactions before reversals. */
  count: number;
  /** Posted in batches of this size, with reversals of earlier transactions in between. */
  batchSize?: number;
}

/** Generates and posts the book through `Ledger.postBatch` and `Ledger.reverse`. */
export function postBook(db: Database, options: BookOptions): BookSummary {
  const random = seededRandom(options.seed);
  const int = (n: number): number => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const chance = (p: number): boolean => random() < p;
  const bigBelow = (n: bigint): bigint => {
    // 53 random bits: enough for any amount drawn here.
    const r =
      BigInt(Math.floor(random() * 2 ** 26)) * 2n ** 27n + BigInt(Math.floor(random() * 2 ** 27));
    return r % n;
  };

  const accountsIn = new Map<Currency, string[]>();
  for (const currency of BOOK_CURRENCIES) {
    accountsIn.set(
      currency,
      BOOK_ACCOUNTS.filter((a) => a.currencies.includes(currency)).map((a) => a.name),
    );
  }

  const amount = (currency: Currency): bigint => {
    const roll = random();
    const scale = currency === 'JPY' ? 1n : currency === 'KWD' ? 1000n : 100n;
    if (roll < 0.1) return 1n + bigBelow(9n); // a few minor units
    if (roll < 0.2) return (1n + bigBelow(10n ** 6n)) * 10n ** 6n; // large: up to 10^12 minor units
    if (roll < 0.4) return (1n + bigBelow(5000n)) * scale; // whole major units
    return 1n + bigBelow(10n ** 7n);
  };

  /** Splits total into `parts` positive amounts. */
  const split = (total: bigint, parts: number): bigint[] => {
    const out: bigint[] = [];
    let left = total;
    for (let i = parts - 1; i > 0; i--) {
      const room = left - BigInt(i); // keep at least 1 for each remaining part
      const part = 1n + bigBelow(room);
      out.push(part);
      left -= part;
    }
    out.push(left);
    return out;
  };

  /** `debits` + `credits` entries in one currency, on distinct accounts, that balance. */
  const group = (currency: Currency, debits: number, credits: number): EntryRequest[] => {
    const pool = [...(accountsIn.get(currency) as string[])];
    const take = (): string => pool.splice(int(pool.length), 1)[0] as string;
    let total = amount(currency);
    if (total < BigInt(Math.max(debits, credits))) total = BigInt(Math.max(debits, credits));
    return [
      ...split(total, debits).map(
        (amountMinor): EntryRequest => ({
          account: take(),
          currency,
          direction: 'debit',
          amountMinor,
        }),
      ),
      ...split(total, credits).map(
        (amountMinor): EntryRequest => ({
          account: take(),
          currency,
          direction: 'credit',
          amountMinor,
        }),
      ),
    ];
  };

  const shuffle = <T>(items: T[]): T[] => {
    for (let i = items.length - 1; i > 0; i--) {
      const j = int(i + 1);
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
    return items;
  };

  const effectiveAt = (index: number, summary: BookSummary): string => {
    let ms =
      BOOK_START_MS + Math.floor((index / options.count) * BOOK_DAYS * DAY_MS) + int(6 * 3_600_000);
    if (index > 50 && chance(0.05)) {
      ms -= (1 + int(40)) * DAY_MS;
      summary.backdated++;
    }
    const roll = random();
    const day = Math.floor(ms / DAY_MS) * DAY_MS;
    if (roll < 0.03) return new Date(day).toISOString(); // first instant of a day
    if (roll < 0.06) return new Date(day + DAY_MS - 1).toISOString(); // last instant of a day
    if (roll < 0.09) return new Date(day).toISOString().slice(0, 10); // bare date: midnight UTC
    if (roll < 0.12) {
      // Local time east of UTC that is still the previous day in UTC: the export must use the UTC date.
      const local = new Date(day + DAY_MS + int(5) * 3_600_000);
      return `${local.toISOString().slice(0, 19)}+05:30`;
    }
    if (roll < 0.14) {
      const local = new Date(day + 20 * 3_600_000 + int(4) * 3_600_000);
      return `${local.toISOString().slice(0, 19)}-08:00`;
    }
    return new Date(ms).toISOString();
  };

  const metadata = (index: number, summary: BookSummary): Record<string, string> => {
    const roll = random();
    if (roll < 0.3) return {};
    if (roll < 0.6) {
      return {
        orderId: `ord_${index}`,
        sellerId: pick(['seller_7', 'seller_12', 'seller-x.3']),
        psp: 'sim',
        pspReference: `ch_${index.toString(36)}`,
      };
    }
    if (roll < 0.9)
      return { note: pick(TRICKY_VALUES), 'batch-id': `b.${int(100)}`, ref_2: pick(TRICKY_VALUES) };
    if (roll < 0.93) {
      // Operator metadata may use any key, including names the exports use for their own fields.
      summary.reservedMetadata++;
      return {
        kind: 'operator kind',
        key: pick(TRICKY_VALUES),
        'payops-tx': 'not the id',
        filename: 'x.csv',
        lineno: '7',
      };
    }
    return {};
  };

  const request = (index: number, summary: BookSummary): PostingRequest => {
    const multi = chance(0.12);
    let entries: EntryRequest[];
    if (multi) {
      const [a, b] = shuffle([...BOOK_CURRENCIES]) as [Currency, Currency];
      // Two to five entries: 1 + 1 in one currency, 1 + 1, 1 + 2 or 2 + 1 in the other.
      const first = group(a, 1, 1);
      let second: EntryRequest[];
      if (chance(0.5)) second = group(b, 1, 1);
      else second = chance(0.5) ? group(b, 1, 2) : group(b, 2, 1);
      entries = [...first, ...second];
      summary.multiCurrency++;
    } else {
      const n = 2 + int(4);
      const debits = 1 + int(n - 1);
      entries = group(pick(BOOK_CURRENCIES), debits, n - debits);
    }
    const description = chance(0.3)
      ? pick(TRICKY_DESCRIPTIONS)
      : `${pick(PLAIN_DESCRIPTIONS)} ${index}`;
    return {
      idempotencyKey: chance(0.02)
        ? `${pick(TRICKY_KEYS)} #${index}`
        : `book-${options.seed}-${index}`,
      kind: multi ? 'fx.convert' : pick(KINDS),
      description,
      effectiveAt: effectiveAt(index, summary),
      metadata: metadata(index, summary),
      entries: shuffle(entries),
    };
  };

  const ledger = new Ledger(db);
  const summary: BookSummary = {
    transactions: 0,
    reversals: 0,
    backdated: 0,
    multiCurrency: 0,
    reservedMetadata: 0,
  };
  const batchSize = options.batchSize ?? 500;
  const reversible: { txId: number; effectiveAt: string }[] = [];

  for (let start = 0; start < options.count; start += batchSize) {
    const requests: PostingRequest[] = [];
    for (let index = start; index < Math.min(options.count, start + batchSize); index++)
      requests.push(request(index, summary));
    if (start === 0) {
      requests.push({
        idempotencyKey: `book-${options.seed}-suspense`,
        kind: 'manual',
        description: 'Parked until classified',
        effectiveAt: new Date(BOOK_START_MS + 3 * DAY_MS).toISOString(),
        entries: [
          { account: SUSPENSE, currency: USD, direction: 'debit', amountMinor: 12_345n },
          {
            account: 'assets:cash.float',
            currency: USD,
            direction: 'credit',
            amountMinor: 12_345n,
          },
        ],
      });
    }
    const results = ledger.postBatch(requests);
    summary.transactions += results.length;
    results.forEach((result, i) => {
      const posted = requests[i] as PostingRequest;
      if (
        ['manual', 'adjustment', 'transfer', 'accrual'].includes(posted.kind) &&
        !posted.idempotencyKey.endsWith('-suspense')
      ) {
        reversible.push({
          txId: result.txId,
          effectiveAt: ledger.getTransaction(result.txId).effectiveAt,
        });
      }
    });
    // Reverse a few operator transactions of this batch, some on the same day, some days later.
    const reverseCount = start === 0 ? 4 : 2;
    for (let r = 0; r < reverseCount; r++) {
      const target = reversible.splice(int(reversible.length), 1)[0];
      if (!target) break;
      const when = new Date(Date.parse(target.effectiveAt) + int(10) * DAY_MS).toISOString();
      ledger.reverse(
        target.txId,
        pick([
          'posted twice',
          'wrong account; see "ticket #12"',
          'Café \\ refund',
          '=HYPERLINK("x")',
        ]),
        when,
      );
      summary.reversals++;
    }
    if (start === 0) {
      const suspense = ledger.findByIdempotencyKey(`book-${options.seed}-suspense`) as number;
      ledger.reverse(suspense, 'classified', new Date(BOOK_START_MS + 9 * DAY_MS).toISOString());
      summary.reversals++;
    }
  }
  return summary;
}
