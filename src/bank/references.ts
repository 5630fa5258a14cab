/**
 * Payout references as banks mangle them (docs/RECONCILIATION.md, "The bank leg"). SWIFT and SEPA
 * character sets drop or replace `_`, banks upper-case, insert spaces, or run words together; so a
 * reference is compared by its alphanumeric characters only, upper-cased, and must line up with
 * whole alphanumeric runs of the text it is searched in: `po_sim_20261123_USD` is found in
 * `PO.SIM.20261123.USD`, `po sim 20261123 usd` and `POSIM20261123USD`, never inside
 * `PO_SIM_20261123_USD2` (a longer run: another reference). Only ASCII letters and digits count;
 * anything else separates runs.
 */
const RUN = /[A-Z0-9]+/g;

/** The reference's comparable form: its ASCII letters and digits, upper-cased ('' when it has none). */
export function referenceKey(reference: string): string {
  return (reference.toUpperCase().match(RUN) ?? []).join('');
}

/**
 * A key too weak to name a payout: fewer than 6 characters, all digits (a PSP's sequential batch
 * number such as Adyen's `42`). Such a number turns up in invoice numbers, dates and amounts
 * (`EUR 64,42`), so a payout with it is found by amount and window only.
 */
export function isWeakReferenceKey(key: string): boolean {
  return key.length < 6 && /^[0-9]*$/.test(key);
}

/** The alphanumeric runs of a text, upper-cased, in order. */
export function alphanumericRuns(text: string): string[] {
  return text.toUpperCase().match(RUN) ?? [];
}

/** True when `reference` equals one or more consecutive whole alphanumeric runs of `text`. */
export function referenceFoundIn(reference: string, text: string): boolean {
  const key = referenceKey(reference);
  if (key === '') return false;
  return candidateKeys(alphanumericRuns(text), key.length).has(key);
}

/**
 * Every concatenation of consecutive runs of `runs` no longer than `maxLength`: the keys a text can
 * match, so that many references are looked up in one pass (a Map from key to payout).
 */
export function candidateKeys(runs: readonly string[], maxLength: number): Set<string> {
  const keys = new Set<string>();
  for (let start = 0; start < runs.length; start++) {
    let joined = '';
    for (let end = start; end < runs.length; end++) {
      joined += runs[end] as string;
      if (joined.length > maxLength) break;
      keys.add(joined);
    }
  }
  return keys;
}
