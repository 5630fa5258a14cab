import type { BankFormatDefinition } from '../types.js';

// Placeholder until the mt940 reader and writer land (issue 16): recognises nothing, reads and writes nothing.
export const mt940Format: BankFormatDefinition = {
  format: 'mt940',
  recognizes: () => false,
  // eslint-disable-next-line require-yield
  read: async function* () {
    throw new Error('the mt940 bank format is not built yet');
  },
  write: () => {
    throw new Error('the mt940 bank format is not built yet');
  },
};
