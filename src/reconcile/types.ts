export {
  SETTLEMENT_ROW_TYPES,
  type SettlementRow,
  type SettlementRowType,
} from './settlement-file/row.js';
export { PAYOPS_SETTLEMENT_HEADER } from './settlement-file/payops.js';

/** A row the parser could not read: reported with its line, and the file goes on (unless --strict). */
export interface SettlementRowError {
  line: number;
  field: string;
  reason: string;
}

export const SETTLEMENT_FORMATS = ['payops', 'stripe', 'adyen', 'paypal', 'generic'] as const;
export type SettlementFormat = (typeof SETTLEMENT_FORMATS)[number];
