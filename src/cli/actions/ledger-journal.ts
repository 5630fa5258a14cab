import { type CliContext, withDatabase } from '../context.js';
import { lazy, pspFactory } from '../lazy.js';
import type { ExportFormat } from '../../ledger/index.js';
import { renderTransaction, renderVerify } from '../../reports/ledger.js';
import type { OutputGuard } from '../../private-files.js';
import { PrivateFile } from '../../private-files.js';
import { readPostingFile } from '../../ledger/index.js';
import { SqliteJournalStore } from '../../ledger/sqlite-journal-store.js';
import { behindWithoutRecording } from '../../payments/book-mark-store.js';
import { InvariantError, UsageError } from '../../errors.js';

/** The --json contract (zod schemas): loaded only when --json is given. */
const json = lazy(async () => {
  const [{ contractJson }, schemas] = await Promise.all([
    import('../../output/contract.js'),
    import('../../output/ledger.js'),
  ]);
  return { contractJson, ...schemas };
});

interface Sink {
  write(chunk: string): void;
  /** The export is complete: a file is moved into place. */
  close(): void;
  /** The export failed: a file is never moved into place. */
  abort(): void;
}

/**
 * Standard output, in large writes; or a file written as a PrivateFile (0600, under a temporary
 * name renamed into place once complete): a failed export (disk full, an account beancount cannot
 * name) leaves no partial journal for a tool to read as the books.
 */
async function openSink(file: string | undefined, guard: OutputGuard): Promise<Sink> {
  if (file !== undefined) {
    const out = PrivateFile.create(file, guard);
    return {
      write: (chunk) => out.write(chunk),
      close: () => out.commit(),
      abort: () => out.abort(),
    };
  }
  let buffer: string[] = [];
  let size = 0;
  const flush = (): void => {
    if (size === 0) return;
    process.stdout.write(buffer.join(''));
    buffer = [];
    size = 0;
  };
  return {
    write(chunk) {
      buffer.push(chunk);
      size += chunk.length;
      if (size >= 1 << 16) flush();
    },
    close: flush,
    abort: () => undefined,
  };
}

export type LedgerPostFlags = { file: string; json?: boolean };
export type LedgerTxFlags = { json?: boolean };
export type LedgerVerifyFlags = { json?: boolean };
export type LedgerExportFlags = { format: ExportFormat; out?: string };
export type LedgerReverseFlags = { key?: string; reason: string; json?: boolean };

export async function ledgerPost(context: CliContext, options: LedgerPostFlags): Promise<void> {
  const postings = readPostingFile(options.file);
  const results = await withDatabase(context, (db) =>
    new SqliteJournalStore(db).postBatch(
      postings.map((posting) => posting.request),
      (index) => postings[index]?.where ?? options.file,
    ),
  );
  const created = results.filter((result) => result.created).length;
  if (options.json) {
    const { contractJson, ledgerPostSchema } = await json();
    context.out(
      contractJson(ledgerPostSchema, {
        posted: created,
        alreadyPosted: results.length - created,
        transactions: results.map(({ txId, created }) => ({ txId, created })),
      }),
    );
  } else {
    context.out(
      `posted ${created} transaction${created === 1 ? '' : 's'}${results.length > created ? `, ${results.length - created} already posted (same key and content)` : ''}`,
    );
  }
}

export async function ledgerTx(
  context: CliContext,
  id: number,
  options: LedgerTxFlags,
): Promise<void> {
  const tx = await withDatabase(context, (db) => new SqliteJournalStore(db).transaction(id));
  if (options.json) {
    const { contractJson, ledgerTxJson, ledgerTxSchema } = await json();
    context.out(contractJson(ledgerTxSchema, ledgerTxJson(tx)));
  } else context.out(renderTransaction(tx));
}

export async function ledgerVerify(context: CliContext, options: LedgerVerifyFlags): Promise<void> {
  const { report, behind } = await withDatabase(context, async (db) => ({
    report: await new SqliteJournalStore(db).verify(),
    behind: behindWithoutRecording(db),
  }));
  if (options.json) {
    const { contractJson, ledgerVerifyJson, ledgerVerifySchema } = await json();
    context.out(contractJson(ledgerVerifySchema, ledgerVerifyJson(report)));
  } else context.out(renderVerify(context.color, report));
  if (behind !== null) context.err(`payops: note: ${behind}`);
  if (!report.ok) {
    const first = report.problems[0];
    throw new InvariantError(
      `ledger verification failed${first?.txId != null ? ` at transaction ${first.txId}` : ''}: ${first?.problem ?? 'see above'}`,
      {
        hint: 'the books were changed outside payops; restore the database from a backup as "Restoring from a backup" in docs/RELIABILITY.md says, and investigate',
      },
    );
  }
}

export async function ledgerExport(context: CliContext, options: LedgerExportFlags): Promise<void> {
  const { defaultSimStateFile } = await pspFactory();
  const guard = {
    flag: '--out',
    database: context.dbPath,
    pspState: defaultSimStateFile(context.dbPath),
  };
  const sink = await openSink(options.out, guard);
  try {
    const count = await withDatabase(context, (db) =>
      new SqliteJournalStore(db).exportJournal(options.format, sink.write),
    );
    sink.close();
    if (options.out) context.err(`exported ${count} transactions to ${options.out}`);
  } catch (error) {
    sink.abort();
    throw error;
  }
}

export async function ledgerReverse(
  context: CliContext,
  id: number | undefined,
  options: LedgerReverseFlags,
): Promise<void> {
  if ((id === undefined) === (options.key === undefined))
    throw new UsageError('name the transaction by its id or by --key (one of them)');
  if (options.reason.trim().length === 0)
    throw new UsageError('--reason: say why the transaction is reversed');
  const target = id === undefined ? { idempotencyKey: options.key ?? '' } : { txId: id };
  const { txId, result } = await withDatabase(context, (db) =>
    new SqliteJournalStore(db).reverse(target, options.reason),
  );
  if (options.json) {
    const { contractJson, ledgerReverseSchema } = await json();
    context.out(
      contractJson(ledgerReverseSchema, { reversedTxId: txId, reversalTxId: result.txId }),
    );
  } else context.out(`transaction ${txId} reversed by transaction ${result.txId}`);
}
