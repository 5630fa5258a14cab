import type { BankFormatDefinition } from '../types.js';

// Placeholder until the csv reader and writer land (issue 16): recognises nothing, reads and writes nothing.
export const csvFormat: BankFormatDefinition = {
  format: 'csv',
  recognizes: () => false,
  // eslint-disable-next-line require-yield
  read: async function* () {
    throw new Error('the csv bank format is not built yet');
  },
  write: () => {
    throw new Error('the csv bank format is not built yet');
  },
};
