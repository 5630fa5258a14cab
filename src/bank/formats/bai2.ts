import type { BankFormatDefinition } from '../types.js';

// Placeholder until the bai2 reader and writer land (issue 16): recognises nothing, reads and writes nothing.
export const bai2Format: BankFormatDefinition = {
  format: 'bai2',
  recognizes: () => false,
  // eslint-disable-next-line require-yield
  read: async function* () {
    throw new Error('the bai2 bank format is not built yet');
  },
  write: () => {
    throw new Error('the bai2 bank format is not built yet');
  },
};
