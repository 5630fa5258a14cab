// Balance stage: a book of N entries (10,000,000 in full mode: two-entry transactions over 2,001
// accounts and 30 days, one in a hundred backdated two days) posted through payops' Ledger; then
// the balance report now and as of a past instant, in process (the query alone) and as whole CLI
// processes (Node start-up included); then ledger-cli's and hledger's `balance` on the journal
// payops exports from the same book. Target: < 50 ms for each payops query.
//
// The plain-text tools hold the whole journal in memory. Each is first run on a slice (the first
// tenth of the transactions); the full journal is given to it only if its memory, projected from
// the slice, fits in 60% of the free memory of this (shared) machine. Otherwise the figure is the
// slice's, said so, with the projection.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { BIN, ROOT, loadAverage, measureCommand, measureNode, median, round } from './measure.mjs';

const AS_OF = '2026-12-08T12:00:00Z';
const SELLERS = 2_000;

export default async function balanceStage({ quick, entries, log }) {
  const n = entries ?? (quick ? 200_000 : 10_000_000);
  const transactions = Math.floor(n / 2);
  const load = [loadAverage()];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payops-bench-balance-'));
  try {
    const db = path.join(dir, 'book.db');
    log(
      `balance: posting a book of ${n} entries (${transactions} transactions over ${SELLERS + 1} accounts and 30 days)`,
    );
    const built = measureNode([
      path.join(ROOT, 'bench', 'stages', 'ledger-post.mjs'),
      String(transactions),
      '10000',
      db,
      '30',
      String(SELLERS),
      '100',
    ]);

    log('balance: in process, 7 runs each (the first is cold)');
    const inProcess = JSON.parse(
      measureNode([path.join(ROOT, 'bench', 'stages', 'balance-query.mjs'), db, AS_OF, '7']).stdout,
    );

    log('balance: `payops ledger balance` and `--as-of`, whole CLI process, median of 5');
    const cli = (args) =>
      median(
        Array.from(
          { length: 5 },
          () => measureNode([BIN, 'ledger', 'balance', ...args, '--db', db]).seconds,
        ),
      );
    const cliNow = cli([]);
    const cliAsOf = cli(['--as-of', AS_OF]);

    log('balance: export the journal (hledger format, read by ledger-cli too)');
    const journal = path.join(dir, 'book.journal');
    const exported = measureNode([
      BIN,
      'ledger',
      'export',
      '--format',
      'hledger',
      '--out',
      journal,
      '--db',
      db,
    ]);
    const slice = path.join(dir, 'slice.journal');
    const sliceTransactions = await writeSlice(
      journal,
      slice,
      Math.max(1, Math.floor(transactions / 10)),
    );

    const external = {};
    for (const [tool, command] of [
      ['ledgerCli', 'ledger'],
      ['hledger', 'hledger'],
    ]) {
      log(`balance: ${command} balance (a tenth of the book first, to project its memory)`);
      external[tool] = runExternal(command, journal, slice, {
        transactions,
        sliceTransactions,
        timeoutMs: quick ? 120_000 : 1_200_000,
      });
    }
    load.push(loadAverage());

    const nowMs = median(inProcess.nowMs);
    const asOfMs = median(inProcess.asOfMs);
    // How many times longer the plain-text tool took than the whole payops process on the whole
    // book; for a tool that only ran on the slice, its time on a tenth of the book (an understatement).
    const speedup = (result) =>
      result.seconds !== null
        ? round(result.seconds / cliNow, 1)
        : result.slice
          ? round(result.slice.seconds / cliNow, 1)
          : null;
    return {
      stage: 'balance',
      n,
      seconds: round(nowMs / 1000, 4),
      perSecond: null,
      peakRssMb: null,
      book: {
        entries: n,
        transactions,
        accounts: inProcess.accounts,
        backdatedShare: 0.01,
        postSeconds: round(built.seconds),
        postPeakRssMb: built.peakRssMb,
        dbMb: round(fs.statSync(db).size / 1_048_576),
      },
      payops: {
        inProcessMs: {
          now: round(nowMs, 2),
          asOf: round(asOfMs, 2),
          nowCold: round(inProcess.nowMs[0], 2),
          asOfCold: round(inProcess.asOfMs[0], 2),
        },
        cliSeconds: { now: round(cliNow, 3), asOf: round(cliAsOf, 3) },
        asOf: AS_OF,
      },
      export: {
        seconds: round(exported.seconds),
        journalMb: round(fs.statSync(journal).size / 1_048_576, 1),
      },
      baseline: external,
      ratio: {
        ledgerCli: speedup(external.ledgerCli),
        hledger: speedup(external.hledger),
        of: 'tool seconds / payops CLI seconds (a slice-only tool: its seconds on a tenth of the book)',
      },
      target: { inProcessMs: 50 },
      meets: { now: nowMs < 50, asOf: asOfMs < 50 },
      load,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The journal's header and its first `count` transactions (blocks separated by a blank line). */
async function writeSlice(journal, slice, count) {
  const out = fs.createWriteStream(slice);
  let blocks = 0;
  let inBlock = false;
  for await (const line of readline.createInterface({
    input: fs.createReadStream(journal),
    crlfDelay: Infinity,
  })) {
    if (line.trim() === '') {
      if (inBlock) blocks++;
      inBlock = false;
      if (blocks >= count) break;
    } else if (!line.startsWith(';')) {
      inBlock = true;
    }
    out.write(`${line}\n`);
  }
  out.end();
  await new Promise((resolve) => out.on('finish', resolve));
  return blocks;
}

function runExternal(command, journal, slice, { transactions, sliceTransactions, timeoutMs }) {
  const onSlice = measureCommand(command, ['-f', slice, 'balance'], timeoutMs);
  if (onSlice.seconds === null) return { seconds: null, reason: onSlice.reason };
  const scale = transactions / sliceTransactions;
  const projectedRssMb = onSlice.peakRssMb === null ? null : Math.round(onSlice.peakRssMb * scale);
  const freeMb = Math.round(os.freemem() / 1_048_576);
  const budgetMb = Math.round(freeMb * 0.6);
  const sliceResult = {
    transactions: sliceTransactions,
    seconds: round(onSlice.seconds, 2),
    peakRssMb: onSlice.peakRssMb,
  };
  if (projectedRssMb === null || projectedRssMb > budgetMb) {
    return {
      seconds: null,
      on: 'slice',
      slice: sliceResult,
      projected: { seconds: round(onSlice.seconds * scale, 1), peakRssMb: projectedRssMb },
      reason: `not run on the whole journal: it would need about ${projectedRssMb ?? '?'} MB (projected from a tenth), more than 60% of the ${freeMb} MB free`,
    };
  }
  const full = measureCommand(command, ['-f', journal, 'balance'], timeoutMs);
  return full.seconds === null
    ? {
        seconds: null,
        on: 'slice',
        slice: sliceResult,
        reason: full.reason,
        lowerBound: full.lowerBound,
      }
    : {
        seconds: round(full.seconds, 2),
        peakRssMb: full.peakRssMb,
        on: 'whole journal',
        slice: sliceResult,
      };
}
