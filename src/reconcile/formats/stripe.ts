import { printable } from '../../money/index.js';
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
import { utcDayField, utcInstantField } from './zones.js';

/**
 * Stripe's itemized payout reconciliation report (payout_reconciliation.itemized.*, and the
 * by-id variants): one balance transaction a row, amounts in major units with refunds negative,
 * net = gross − fee, currency in lower case, times in UTC.
 *
 * Our reference (the order id) is the `payment_metadata[order_id]` column (payops sends `order_id`
 * metadata on every PaymentIntent and refund), else `refund_metadata[order_id]`, else, for a
 * charge, refund or dispute, the description. The PSP reference is `source_id` (ch_/py_, re_, dp_/du_, po_…).
 */
const REQUIRED = [
  'balance_transaction_id',
  'created_utc',
  'currency',
  'gross',
  'fee',
  'net',
  'reporting_category',
  'automatic_payout_id',
];
const OPTIONAL = [
  'automatic_payout_effective_at',
  'automatic_payout_effective_at_utc',
  'available_on',
  'available_on_utc',
  'created',
  'source_id',
  'description',
  'card_brand',
  'card_country',
  'card_funding',
  'charge_created',
  'charge_created_utc',
  'charge_id',
  'payment_intent_id',
  'invoice_id',
  'invoice_number',
  'subscription_id',
  'customer_id',
  'customer_email',
  'customer_name',
  'customer_description',
  'customer_facing_amount',
  'customer_facing_currency',
  'connected_account',
  'connected_account_id',
  'connected_account_name',
  'connected_account_country',
  'connected_account_direct_charge_id',
  'destination_payment_id',
  'dispute_reason',
  'is_link',
  'payment_method_type',
  'regulatory_tag',
  'statement_descriptor',
  'trace_id',
  'trace_id_status',
  ...['line1', 'line2', 'city', 'state', 'postal_code', 'country'].flatMap((part) => [
    `card_address_${part}`,
    `customer_address_${part}`,
    `customer_shipping_address_${part}`,
    `shipping_address_${part}`,
  ]),
];
const COLUMNS: HeaderColumns = {
  required: REQUIRED,
  optional: OPTIONAL,
  optionalPatterns: [/^(payment|refund|transfer|charge)_metadata\[[^\]]+\]$/],
};

/** Stripe's reporting categories and what they are to us; anything else is refused as unknown. */
const CATEGORY_TYPES: Readonly<Record<string, SettlementRowType>> = {
  charge: 'capture',
  payment: 'capture',
  refund: 'refund',
  dispute: 'chargeback',
  dispute_reversal: 'chargeback_reversal',
  fee: 'fee',
  payout: 'payout',
  // Money moved for reasons the matcher treats as the PSP's own corrections.
  other_adjustment: 'adjustment',
  payout_reversal: 'adjustment',
  refund_failure: 'adjustment',
  charge_failure: 'adjustment',
  partial_capture_reversal: 'adjustment',
  platform_earning: 'adjustment',
  platform_earning_refund: 'adjustment',
  connect_collection_transfer: 'adjustment',
  connect_reserved_funds: 'adjustment',
  transfer: 'adjustment',
  transfer_reversal: 'adjustment',
  topup: 'adjustment',
  topup_reversal: 'adjustment',
  tax: 'adjustment',
  risk_reserved_funds: 'adjustment',
  advance: 'adjustment',
  advance_funding: 'adjustment',
  anticipation_repayment: 'adjustment',
  climate_order_purchase: 'adjustment',
  climate_order_refund: 'adjustment',
  contribution: 'adjustment',
  financing_paydown: 'adjustment',
  financing_paydown_reversal: 'adjustment',
  issuing_authorization_hold: 'adjustment',
  issuing_authorization_release: 'adjustment',
  issuing_dispute: 'adjustment',
  issuing_transaction: 'adjustment',
  network_cost: 'adjustment',
  obligation: 'adjustment',
};

/** Rows about one payment, whose description may name the order when the metadata column is absent. */
const PAYMENT_TYPES: ReadonlySet<SettlementRowType> = new Set([
  'capture',
  'refund',
  'chargeback',
  'chargeback_reversal',
]);

export const stripeFormat: FormatDefinition = {
  format: 'stripe',
  columns: COLUMNS,
  open(firstRecord, { file }) {
    const header = new Header(firstRecord, file);
    header.assertHas(COLUMNS, file, 'stripe');
    const at = (name: string) => header.indexOf(name);
    const column = {
      category: at('reporting_category'),
      currency: at('currency'),
      gross: at('gross'),
      fee: at('fee'),
      net: at('net'),
      created: at('created_utc'),
      payout: at('automatic_payout_id'),
      payoutEffective: at('automatic_payout_effective_at_utc'),
      availableOn: at('available_on_utc'),
      source: at('source_id'),
      description: at('description'),
      orderId: [
        at('payment_metadata[order_id]'),
        at('refund_metadata[order_id]'),
        at('charge_metadata[order_id]'),
      ].filter((index) => index >= 0),
    };
    const value = (fields: readonly string[], index: number): string | undefined =>
      index < 0 ? undefined : fields[index];

    return {
      columnName: (index) => header.nameAt(index),
      parse(fields, line): SettlementRow {
        header.checkWidth(fields);
        const category = requiredText(fields[column.category], 'reporting_category');
        const type = CATEGORY_TYPES[category];
        if (type === undefined)
          throw new RowError(
            'reporting_category',
            `"${printable(category)}" is not a Stripe reporting category payops knows`,
          );
        const currencyText = fields[column.currency] ?? '';
        const currency = currencyField(currencyText.toUpperCase(), 'currency');
        let grossMinor = amountField(fields[column.gross], currency, 'gross');
        let feeMinor = amountField(fields[column.fee], currency, 'fee');
        const netMinor = amountField(fields[column.net], currency, 'net');
        checkNet(grossMinor, feeMinor, netMinor, currency);
        let rowType = type;
        if (type === 'fee' && feeMinor === 0n) {
          // Stripe books a standalone fee as a negative gross with no fee; payops keeps it in the
          // fee column (gross 0, fee > 0, net −fee). A credited fee is an adjustment.
          feeMinor = -grossMinor;
          grossMinor = 0n;
          if (feeMinor < 0n) rowType = 'adjustment';
        }
        checkSigns(rowType, grossMinor, feeMinor, currency, 'gross', 'fee');
        const source = optionalText(value(fields, column.source));
        const orderId =
          column.orderId
            .map((index) => optionalText(fields[index]))
            .find((text) => text !== null) ?? null;
        const payoutId = optionalText(value(fields, column.payout));
        return {
          line,
          type: rowType,
          pspReference: source,
          merchantReference:
            orderId ??
            (PAYMENT_TYPES.has(rowType) ? optionalText(value(fields, column.description)) : null),
          // A payout's own row names itself in source_id; the rows it pays out name it in automatic_payout_id.
          batchId: payoutId ?? (rowType === 'payout' ? source : null),
          currency,
          grossMinor,
          feeMinor,
          netMinor,
          occurredAt: utcInstantField(fields[column.created], 'created_utc'),
          availableOn:
            (column.availableOn >= 0
              ? utcDayField(fields[column.availableOn], 'available_on_utc')
              : null) ??
            (column.payoutEffective >= 0
              ? utcDayField(fields[column.payoutEffective], 'automatic_payout_effective_at_utc')
              : null),
          providerType: category,
        };
      },
    };
  },
};
