import { type Currency, printable } from '../../money/index.js';
import type { SettlementRow, SettlementRowType } from '../types.js';
import {
  amountField,
  checkNet,
  checkSigns,
  currencyField,
  optionalText,
  requiredText,
} from './fields.js';
import { type FormatDefinition, type HeaderColumns, RowError } from './format.js';
import { Header } from './header.js';
import { localInstantField, zoneOf } from './zones.js';

/**
 * Adyen's Settlement details report: one journal entry a row, amounts unsigned and their
 * direction given by the column they sit in (Debit or Credit), gross in the gross currency (GC),
 * net and fees in the net (settlement) currency (NC), local times with a TimeZone column.
 *
 * Rules (see docs/SETTLEMENT-FORMATS.md):
 * - gross = Gross Credit (GC) − Gross Debit (GC); net = Net Credit (NC) − Net Debit (NC);
 * - fee = Commission + Markup + Scheme Fees + Interchange (+ Payment Fees when that column is there), all NC;
 * - when GC = NC, gross − fee must equal net; when they differ (a converted settlement) or a row
 *   has no gross (fees, payouts, transfers), the row is kept in NC with gross = net + fee;
 * - the row's currency is the Net Currency: the money that moved on our Adyen balance.
 */
const GROSS_DEBIT = 'Gross Debit (GC)';
const GROSS_CREDIT = 'Gross Credit (GC)';
const NET_DEBIT = 'Net Debit (NC)';
const NET_CREDIT = 'Net Credit (NC)';
const FEE_COLUMNS = ['Commission (NC)', 'Markup (NC)', 'Scheme Fees (NC)', 'Interchange (NC)'];
const PAYMENT_FEES = 'Payment Fees (NC)';

const REQUIRED = [
  'Psp Reference',
  'Merchant Reference',
  'Creation Date',
  'TimeZone',
  'Type',
  'Modification Reference',
  'Gross Currency',
  GROSS_DEBIT,
  GROSS_CREDIT,
  'Net Currency',
  NET_DEBIT,
  NET_CREDIT,
  ...FEE_COLUMNS,
  'Batch Number',
];
const OPTIONAL = [
  'Company Account',
  'Merchant Account',
  'Payment Method',
  'Exchange Rate',
  'Payment Method Variant',
  'Modification Merchant Reference',
  PAYMENT_FEES,
  'Booking Date',
  'Booking Date TimeZone',
  'Shopper Reference',
  'Acquirer',
  'Acquirer Account',
  'Issuer Country',
  'Shopper Country',
  'Global Card Brand',
  'Shopper Interaction',
  'Card BIN',
  'Advanced (NC)',
  'Advancement Code',
  'Advancement Batch',
  'Booking Type',
];
const COLUMNS: HeaderColumns = {
  required: REQUIRED,
  optional: OPTIONAL,
  optionalPatterns: [/^Reserved\d+$/i],
};

/** Adyen journal types (compared without case) and what they are to us. */
const JOURNAL_TYPES: Readonly<Record<string, SettlementRowType>> = {
  settled: 'capture',
  settledbulk: 'capture',
  refunded: 'refund',
  refundedbulk: 'refund',
  chargeback: 'chargeback',
  secondchargeback: 'chargeback',
  chargebackreversed: 'chargeback_reversal',
  fee: 'fee',
  misccosts: 'fee',
  paymentcost: 'fee',
  settlecost: 'fee',
  authorisationschemefee: 'fee',
  invoicededuction: 'fee',
  merchantpayout: 'payout',
  refundedreversed: 'adjustment',
  chargebackreversedcorrection: 'adjustment',
  balancetransfer: 'adjustment',
  depositcorrection: 'adjustment',
  manualcorrected: 'adjustment',
  reserveadjustment: 'adjustment',
  matchedstatement: 'adjustment',
  bankinstructionreturned: 'adjustment',
  internalcompanypayout: 'adjustment',
  epapaid: 'adjustment',
  paidout: 'adjustment',
  paidoutreversed: 'adjustment',
};

export const adyenFormat: FormatDefinition = {
  format: 'adyen',
  columns: COLUMNS,
  open(firstRecord, { file }) {
    const header = new Header(firstRecord, file);
    header.assertHas(COLUMNS, file, 'adyen');
    const at = (name: string) => header.indexOf(name);
    const feeColumns = [...FEE_COLUMNS, PAYMENT_FEES]
      .filter((name) => at(name) >= 0)
      .map((name) => ({ name, index: at(name) }));
    const merchantAccount = at('Merchant Account');

    /** credit − debit of a Debit/Credit pair, or null when both are empty. */
    const signed = (
      fields: readonly string[],
      debitName: string,
      creditName: string,
      currency: Currency,
    ): bigint | null => {
      const debit = fields[at(debitName)] ?? '';
      const credit = fields[at(creditName)] ?? '';
      if (debit === '' && credit === '') return null;
      const debitMinor = debit === '' ? 0n : amountField(debit, currency, debitName);
      const creditMinor = credit === '' ? 0n : amountField(credit, currency, creditName);
      if (debitMinor < 0n)
        throw new RowError(debitName, 'must not be negative: the column gives the direction');
      if (creditMinor < 0n)
        throw new RowError(creditName, 'must not be negative: the column gives the direction');
      if (debitMinor !== 0n && creditMinor !== 0n)
        throw new RowError(
          creditName,
          `and ${debitName} are both filled in: an entry is one or the other`,
        );
      return creditMinor - debitMinor;
    };

    return {
      columnName: (index) => header.nameAt(index),
      parse(fields, line): SettlementRow {
        header.checkWidth(fields);
        const journalType = requiredText(fields[at('Type')], 'Type');
        const mapped = JOURNAL_TYPES[journalType.toLowerCase()];
        if (mapped === undefined)
          throw new RowError(
            'Type',
            `"${printable(journalType)}" is not an Adyen journal type payops knows`,
          );
        const currency = currencyField(fields[at('Net Currency')], 'Net Currency');
        const netMinor = signed(fields, NET_DEBIT, NET_CREDIT, currency);
        if (netMinor === null) throw new RowError(NET_CREDIT, `and ${NET_DEBIT} are both empty`);
        let feeMinor = 0n;
        for (const { name, index } of feeColumns) {
          const text = fields[index] ?? '';
          if (text !== '') feeMinor += amountField(text, currency, name);
        }
        const grossText = (fields[at(GROSS_DEBIT)] ?? '') + (fields[at(GROSS_CREDIT)] ?? '');
        let grossMinor = netMinor + feeMinor;
        if (grossText !== '') {
          const grossCurrency = currencyField(fields[at('Gross Currency')], 'Gross Currency');
          const grossInGc = signed(fields, GROSS_DEBIT, GROSS_CREDIT, grossCurrency) as bigint;
          if (grossCurrency === currency) {
            grossMinor = grossInGc;
            checkNet(
              grossMinor,
              feeMinor,
              netMinor,
              currency,
              netMinor < 0n ? NET_DEBIT : NET_CREDIT,
            );
          }
        }
        let type = mapped;
        if (type === 'fee' && feeMinor === 0n) {
          // A fee entry carries its amount in the net columns only: it is the fee.
          feeMinor = -grossMinor;
          grossMinor = 0n;
          if (feeMinor < 0n) type = 'adjustment';
        }
        const [debitColumn, creditColumn] =
          grossText !== '' ? [GROSS_DEBIT, GROSS_CREDIT] : [NET_DEBIT, NET_CREDIT];
        checkSigns(
          type,
          grossMinor,
          feeMinor,
          currency,
          grossMinor < 0n ? debitColumn : creditColumn,
          'Commission (NC)',
        );

        const zoneText = requiredText(fields[at('TimeZone')], 'TimeZone');
        const zone = zoneOf(zoneText);
        if (typeof zone === 'string') throw new RowError('TimeZone', zone);
        const pspReference = optionalText(fields[at('Psp Reference')]);
        const modificationReference = optionalText(fields[at('Modification Reference')]);
        const batchNumber = optionalText(fields[at('Batch Number')]);
        const account = merchantAccount >= 0 ? optionalText(fields[merchantAccount]) : null;
        return {
          line,
          type,
          // A payment's own reference; for a refund, dispute or payout, the modification's.
          pspReference: type === 'capture' ? pspReference : (modificationReference ?? pspReference),
          merchantReference:
            type === 'payout' ? null : optionalText(fields[at('Merchant Reference')]),
          // Batch numbers count per merchant account: the account keeps two accounts' batches apart.
          batchId:
            batchNumber === null
              ? null
              : account === null
                ? batchNumber
                : `${account}/${batchNumber}`,
          currency,
          grossMinor,
          feeMinor,
          netMinor,
          occurredAt: localInstantField(fields[at('Creation Date')], zone, 'Creation Date'),
          availableOn: null,
          providerType: journalType,
        };
      },
    };
  },
};
