import { InputError } from '../errors.js';
import { formatAmount } from '../money/index.js';
import { csvNumeric, csvRow, csvText } from '../csv-cells.js';
import type { AccountType } from './accounts.js';
import type { ExportEntry, ExportTransaction, JournalHead, JournalReads } from './journal-reads.js';
import type { Metadata } from './types.js';

export type ExportFormat = 'hledger' | 'beancount' | 'csv';

/**
 * Writes the whole journal, in posting order, in a format hledger and ledger-cli (`hledger`),
 * beancount, or a spreadsheet (`csv`) reads. Streams: memory stays flat whatever the size.
 * Descriptions lose `;` and control characters in the plain-text formats (they start comments
 * there); the CSV keeps them exactly.
 */
export async function exportJournal(
  reads: JournalReads,
  format: ExportFormat,
  write: (chunk: string) => void,
): Promise<number> {
  const { head, pages } = await reads.journal(format === 'beancount');
  // The head is read for beancount only.
  const writer =
    head !== undefined
      ? beancountWriter(head)
      : format === 'hledger'
        ? hledgerWriter()
        : csvWriter();
  write(writer.header);
  let count = 0;
  for await (const page of pages) {
    for (const tx of page) {
      write(writer.transaction(tx));
      count++;
    }
  }
  return count;
}

interface Writer {
  header: string;
  transaction(tx: ExportTransaction): string;
}

function signedAmount(entry: ExportEntry): string {
  return formatAmount(
    entry.direction === 'debit' ? entry.amountMinor : -entry.amountMinor,
    entry.currency,
  );
}

// eslint-disable-next-line no-control-regex
const UNSAFE_IN_PLAIN_TEXT = /[;\u0000-\u001f\u007f-\u009f]/g;

function plainText(text: string): string {
  return text.replace(UNSAFE_IN_PLAIN_TEXT, ' ').trim();
}

/**
 * Operator metadata may use any key, including the names an export writes itself (`payops-tx`,
 * `kind`, `key`) and the `filename` and `lineno` beancount keeps on every entry: a duplicate key is
 * a beancount error, and a string `lineno` makes bean-check crash while sorting. Such a key is
 * written with a `meta-` prefix (repeated until no other key has that name), so nothing is lost.
 */
function exportedMetadata(metadata: Metadata, reserved: readonly string[]): [string, string][] {
  const taken = new Set([...reserved, ...Object.keys(metadata)]);
  return Object.entries(metadata).map(([key, value]) => {
    if (!reserved.includes(key)) return [key, value];
    let name = `meta-${key}`;
    while (taken.has(name)) name = `meta-${name}`;
    taken.add(name);
    return [name, value];
  });
}

/**
 * hledger journal; ledger-cli reads the same file. The transaction id is written as the code,
 * `2026-11-23 * (42) description`: besides naming the transaction, it stops both tools from
 * taking a description that starts with "(" for a code of its own.
 */
function hledgerWriter(): Writer {
  return {
    header: '; payops ledger export (hledger / ledger-cli journal)\n\n',
    transaction(tx) {
      const tags = [
        `payops-tx:${tx.txId}`,
        `kind:${tx.kind}`,
        `key:${plainText(tx.idempotencyKey).replace(/,/g, ' ')}`,
      ];
      for (const [key, value] of exportedMetadata(tx.metadata, HLEDGER_OWN_TAGS))
        tags.push(`${key}:${plainText(value).replace(/,/g, ' ')}`);
      let text = `${tx.effectiveAt.slice(0, 10)} * (${tx.txId}) ${plainText(tx.description) || tx.kind}\n    ; ${tags.join(', ')}\n`;
      for (const entry of tx.entries)
        text += `    ${entry.account}  ${signedAmount(entry)} ${entry.currency}\n`;
      return `${text}\n`;
    },
  };
}

const HLEDGER_OWN_TAGS = ['payops-tx', 'kind', 'key'];
const BEANCOUNT_OWN_METADATA = ['payops-tx', 'kind', 'key', 'filename', 'lineno'];

const BEANCOUNT_ROOT: Readonly<Record<AccountType, string>> = {
  asset: 'Assets',
  liability: 'Liabilities',
  equity: 'Equity',
  revenue: 'Income',
  expense: 'Expenses',
};

/**
 * Beancount wants capitalized roots and components that start with a capital or a digit and hold
 * only letters, digits and "-", and at least one component under the root. The mapping
 * capitalizes and turns "_" and "." into "-", and gives a bare root its own name as the component
 * (`equity` → `Equity:Equity`); if two payops accounts would map to one beancount name the export
 * stops rather than merge them.
 */
function beancountWriter(head: JournalHead): Writer {
  const { accounts } = head;
  const openDate = (head.firstEffectiveAt ?? new Date().toISOString()).slice(0, 10);
  const names = new Map<string, string>();
  const owners = new Map<string, string>();
  for (const { name, type } of accounts) {
    const segments = name.split(':');
    // Beancount wants at least one component under the root: a bare root keeps its own name there.
    const mapped = [
      BEANCOUNT_ROOT[type],
      ...(segments.length === 1 ? segments : segments.slice(1)).map(beancountComponent),
    ].join(':');
    const owner = owners.get(mapped);
    if (owner !== undefined && owner !== name) {
      throw new InputError(`accounts ${owner} and ${name} both become ${mapped} in beancount`, {
        hint: 'rename one of them, or export as hledger or csv',
      });
    }
    owners.set(mapped, name);
    names.set(name, mapped);
  }
  let header = 'option "title" "payops ledger export"\n\n';
  for (const mapped of new Set(names.values())) header += `${openDate} open ${mapped}\n`;
  return {
    header: `${header}\n`,
    transaction(tx) {
      let text = `${tx.effectiveAt.slice(0, 10)} * ${beancountString(tx.description)}\n`;
      text += `  payops-tx: "${tx.txId}"\n  kind: ${beancountString(tx.kind)}\n  key: ${beancountString(tx.idempotencyKey)}\n`;
      for (const [key, value] of exportedMetadata(tx.metadata, BEANCOUNT_OWN_METADATA))
        text += `  ${key}: ${beancountString(value)}\n`;
      for (const entry of tx.entries)
        text += `  ${names.get(entry.account)}  ${signedAmount(entry)} ${entry.currency}\n`;
      return `${text}\n`;
    },
  };
}

function beancountComponent(segment: string): string {
  const component = segment.replace(/[^A-Za-z0-9-]/g, '-');
  return /^[a-z]/.test(component)
    ? component[0]!.toUpperCase() + component.slice(1)
    : /^[A-Z0-9]/.test(component)
      ? component
      : `X${component}`;
}

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

function beancountString(text: string): string {
  return `"${text.replace(CONTROL_CHARACTERS, ' ').replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function csvWriter(): Writer {
  return {
    header: csvRow([
      'tx_id',
      'effective_at',
      'created_at',
      'idempotency_key',
      'kind',
      'description',
      'account',
      'currency',
      'debit',
      'credit',
    ]),
    transaction(tx) {
      return tx.entries
        .map((entry) => {
          const amount = csvNumeric(formatAmount(entry.amountMinor, entry.currency));
          return csvRow([
            String(tx.txId),
            tx.effectiveAt,
            tx.createdAt,
            csvText(tx.idempotencyKey),
            csvText(tx.kind),
            csvText(tx.description),
            csvText(entry.account),
            entry.currency,
            entry.direction === 'debit' ? amount : '',
            entry.direction === 'credit' ? amount : '',
          ]);
        })
        .join('');
    },
  };
}
