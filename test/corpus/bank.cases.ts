export interface BankCase {
  name: string;
  input: string;
  args?: string[];
  expect: { exit: number; message: string };
}

export const bankCases: BankCase[] = [
  // MT940 and BAI2
  { name: 'MT940: a statement without its :62F: closing balance', input: 'bank/mt940-missing-62f.sta', expect: { exit: 3, message: 'mt940-missing-62f.sta:7 closing balance: missing :62F: closing balance: statement NOCLOSE/00001/001' } },
  {
    name: 'MT940: a statement that does not add up',
    input: 'bank/mt940-bad-sums.sta',
    expect: { exit: 3, message: 'statement BADSUMS/00001/001 does not add up: opening 1000.00 + credits 250.00 - debits 100.00 = 1150.00 EUR, but the closing balance is 1200.00' },
  },
  { name: 'MT940: an amount with a decimal point', input: 'bank/mt940-amount-point.sta', expect: { exit: 3, message: 'mt940-amount-point.sta:5 :61: amount: "1250.00" has a decimal point; MT940 amounts use a decimal comma ("1250,00")' } },
  { name: 'BAI2: a wrong 49 account control total', input: 'bank/bai2-bad-49.txt', expect: { exit: 3, message: 'bai2-bad-49.txt:9 49 account control total: the trailer says 2412551 but the 03 and 16 amounts of account 0011223344 add up to 2412550' } },
  { name: 'BAI2: a wrong 98 group control total', input: 'bank/bai2-bad-98.txt', expect: { exit: 3, message: 'bai2-bad-98.txt:14 98 group control total: the trailer says 2572500 but the accounts of the group add up to 2572550' } },
  { name: 'BAI2: a wrong 99 file control total', input: 'bank/bai2-bad-99.txt', expect: { exit: 3, message: 'bai2-bad-99.txt:15 99 file control total: the trailer says 2572549 but the groups of the file add up to 2572550' } },
  { name: 'BAI2: a wrong 99 record count', input: 'bank/bai2-bad-record-count.txt', expect: { exit: 3, message: 'bai2-bad-record-count.txt:15 99 record count: the trailer says 14 records but the file has 15' } },
  { name: 'BAI2: a file cut before its 99 trailer', input: 'bank/bai2-truncated.txt', expect: { exit: 3, message: 'bai2-truncated.txt:14 99 file trailer: the file ends without its 99 file trailer: it is truncated' } },
];
