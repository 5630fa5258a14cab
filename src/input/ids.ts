/**
 * The shapes of the ids and tokens payops takes in, shared by event intake and `psp serve` (what
 * one accepts, the other must not refuse later). Ids become parts of account names, idempotency
 * keys and settlement files: plain ASCII, starting with a letter or digit (so never a formula).
 */
export const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
export const IDENTIFIER_RULE =
  '1–100 letters, digits, "_", "." or "-", starting with a letter or digit';

/** What the card vendor gave the checkout page. */
export const PAYMENT_TOKEN = /^[A-Za-z0-9_-]{3,255}$/;
export const PAYMENT_TOKEN_RULE = '3–255 letters, digits, "_" or "-"';
