import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { referenceFoundIn, referenceKey } from '../../../src/bank/references.js';

const word = fc.stringMatching(/^[a-z0-9]{1,8}$/);
const reference = fc.array(word, { minLength: 1, maxLength: 5 }).map((words) => words.join('_'));
/** What SWIFT/SEPA character sets and banks do to an underscore reference. */
const mangle = fc.constantFrom(
  (r: string) => r.replaceAll('_', '.'),
  (r: string) => r.replaceAll('_', ' '),
  (r: string) => r.replaceAll('_', ''),
  (r: string) => r.toLowerCase(),
  (r: string) => r.toUpperCase().replaceAll('_', '/'),
);

describe('payout references as banks mangle them', () => {
  it('finds the examples of the design and not a longer run', () => {
    const ref = 'po_sim_20261123_USD';
    for (const text of [
      'PO.SIM.20261123.USD',
      'po sim 20261123 usd',
      'POSIM20261123USD',
      'payout PO SIM 20261123 USD from sim',
    ])
      expect(referenceFoundIn(ref, text)).toBe(true);
    for (const text of ['PO_SIM_20261123_USD2', 'XPOSIM20261123USD', 'po sim 20261123', ''])
      expect(referenceFoundIn(ref, text)).toBe(false);
    expect(referenceKey('po_sim_1')).toBe('POSIM1');
    expect(referenceFoundIn('___', 'anything')).toBe(false);
  });

  it('never loses a match to mangling, with text around it', () => {
    fc.assert(
      fc.property(
        reference,
        mangle,
        fc.array(word, { maxLength: 3 }),
        fc.array(word, { maxLength: 3 }),
        (ref, how, before, after) => {
          const text = [...before, how(ref), ...after].join(' ');
          expect(referenceFoundIn(ref, text)).toBe(true);
        },
      ),
    );
  });

  it('never finds a reference inside a longer alphanumeric run', () => {
    fc.assert(
      fc.property(reference, mangle, word, fc.boolean(), (ref, how, extra, atEnd) => {
        const mangled = how(ref);
        const text = atEnd ? `${mangled}${extra}` : `${extra}${mangled}`;
        // The extra characters glue onto the reference's first or last run.
        fc.pre(/[a-z0-9]$/i.test(mangled) && /^[a-z0-9]/i.test(mangled));
        expect(referenceFoundIn(ref, text)).toBe(false);
      }),
    );
  });
});
