import fs from 'node:fs';
import { InputError, UsageError } from '../errors.js';
import { currencyAmounts } from '../input/json-file.js';
import { didYouMean } from '../input/names.js';
import { type Currency, formatAmount, printable } from '../money/index.js';

/**
 * The auto-resolution rules a run applies before anyone looks (docs/RECONCILIATION.md, "Rules").
 * Every amount a rule books to an expense, a fee difference or a write-off, counts against the
 * cap of its currency for the run; a currency with a tolerance needs a cap, so nothing is booked
 * automatically without a stated limit.
 */
export interface Rules {
  /** A record not yet reported is `pending` for this many days after its day, then `missing_external`. */
  graceDays: number;
  /** Pending records are counted, not listed as items, and do not make the run exit 4. */
  quietPending: boolean;
  /** Complete an order payops still has as pending when the PSP settled its capture. */
  completePendingOrders: boolean;
  /** Book a fee difference up to this much (per row) as a PSP fee. */
  feeTolerance: ReadonlyMap<Currency, bigint>;
  /** Write off a shortfall (the PSP settled less than booked) up to this much per row, if its fee differs by no more than `feeTolerance`. */
  writeOffTolerance: ReadonlyMap<Currency, bigint>;
  /** At most this much booked by rules per currency per run, fee differences and write-offs together. */
  capPerRun: ReadonlyMap<Currency, bigint>;
}

export const DEFAULT_RULES: Rules = {
  graceDays: 2,
  quietPending: true,
  completePendingOrders: true,
  feeTolerance: new Map(),
  writeOffTolerance: new Map(),
  capPerRun: new Map(),
};

// `bank` is the bank leg's (src/bank/rules.ts validates it).
const KNOWN = [
  'graceDays',
  'quietPending',
  'completePendingOrders',
  'feeTolerance',
  'writeOffTolerance',
  'capPerRun',
  'bank',
] as const;
const MAX_GRACE_DAYS = 366;

/** Reads and validates a rules file; every problem is one line naming the file and the rule. */
export function readRulesFile(file: string): Rules {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `--rules: ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  return parseRules(text, file);
}

export function parseRules(text: string, where: string): Rules {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new InputError(`${where}: not valid JSON (${(error as Error).message})`, {
      hint: 'see fixtures/reconcile/rules.json for an example',
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InputError(`${where}: expected a JSON object of rules`);
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    if ((KNOWN as readonly string[]).includes(key)) continue;
    throw new InputError(
      `${where}: unknown rule "${printable(key)}"${didYouMean(key, KNOWN)}; known rules: ${KNOWN.join(', ')}`,
    );
  }
  const rules: Rules = {
    graceDays:
      object.graceDays === undefined
        ? DEFAULT_RULES.graceDays
        : graceDays(object.graceDays, `${where} graceDays`),
    quietPending:
      object.quietPending === undefined
        ? DEFAULT_RULES.quietPending
        : boolean(object.quietPending, `${where} quietPending`),
    completePendingOrders:
      object.completePendingOrders === undefined
        ? DEFAULT_RULES.completePendingOrders
        : boolean(object.completePendingOrders, `${where} completePendingOrders`),
    feeTolerance: amounts(object.feeTolerance, `${where} feeTolerance`),
    writeOffTolerance: amounts(object.writeOffTolerance, `${where} writeOffTolerance`),
    capPerRun: amounts(object.capPerRun, `${where} capPerRun`),
  };
  for (const name of ['feeTolerance', 'writeOffTolerance'] as const) {
    for (const currency of rules[name].keys()) {
      if (!rules.capPerRun.has(currency))
        throw new InputError(
          `${where} ${name}.${currency}: needs a capPerRun.${currency}, the most rules may book in ${currency} in one run`,
        );
    }
  }
  return rules;
}

function graceDays(value: unknown, where: string): number {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < 0 ||
    value > MAX_GRACE_DAYS
  ) {
    throw new InputError(`${where}: expected a whole number of days from 0 to ${MAX_GRACE_DAYS}`);
  }
  return value;
}

function boolean(value: unknown, where: string): boolean {
  if (typeof value !== 'boolean') throw new InputError(`${where}: expected true or false`);
  return value;
}

function amounts(value: unknown, where: string): Map<Currency, bigint> {
  return value === undefined ? new Map() : currencyAmounts(value, where, '{"USD": "0.05"}');
}

/** The rules as JSON, amounts in major units: stored with each run and shown by `--dry-run`. */
export function rulesJson(rules: Rules): Record<string, unknown> {
  const amountsJson = (map: ReadonlyMap<Currency, bigint>) =>
    Object.fromEntries(
      [...map].map(([currency, minor]) => [currency, formatAmount(minor, currency)]),
    );
  return {
    graceDays: rules.graceDays,
    quietPending: rules.quietPending,
    completePendingOrders: rules.completePendingOrders,
    feeTolerance: amountsJson(rules.feeTolerance),
    writeOffTolerance: amountsJson(rules.writeOffTolerance),
    capPerRun: amountsJson(rules.capPerRun),
  };
}
