import type { BankFormatDefinition } from '../types.js';

// Placeholder until the camt053 reader and writer land (issue 16): recognises nothing, reads and writes nothing.
export const camt053Format: BankFormatDefinition = {
  format: 'camt053',
  recognizes: () => false,
  // eslint-disable-next-line require-yield
  read: async function* () {
    throw new Error('the camt053 bank format is not built yet');
  },
  write: () => {
    throw new Error('the camt053 bank format is not built yet');
  },
};
