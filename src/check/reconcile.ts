import { formatAmount } from '../money/index.js';
import { bankInTransit, bankOperating, settlementPspFeesKey } from '../postings/index.js';
import type { CheckReads } from './check-source.js';

export interface ReconciliationProblems {
  problems: string[];
  settlements: number;
  decisions: number;
}

/**
 * What reconciliation promises the books (docs/RECONCILIATION.md, "Invariants"):
 * 1. every settlement posted moves exactly its rows' net to the bank, in one transaction, and
 *    every settlement transaction belongs to one settlement; a row points at one settlement, so
 *    it reaches the bank at most once; a matched row of a paid-out batch has reached it;
 * 2. each run's PSP-fee posting is exactly the fees of the rows it booked, and no order has its
 *    fee booked both at capture and from a settlement file;
 * 3. every reconcile.* transaction was posted by exactly one recorded decision;
 * 4. once every item of a paid-out batch is resolved, the books moved exactly its payout to the bank.
 * Each query is one pass over its table (the rows are summed per settlement in one grouped scan),
 * so the check stays linear in the size of the books.
 */
export async function reconciliationProblems(reads: CheckReads): Promise<ReconciliationProblems> {
  const problems: string[] = [];
  // One grouped pass over the rows, then the (few) settlements: no index on rows by settlement.
  const ofSettlement = new Map<bigint, { net: bigint; count: bigint }>();
  for await (const row of reads.rowsBySettlement()) {
    ofSettlement.set(row.settlement_id, { net: BigInt(row.net), count: row.n });
  }
  const settlements = (await reads.settlements()).map((settlement) => ({
    ...settlement,
    rows_net: ofSettlement.get(settlement.id)?.net ?? 0n,
    row_count: ofSettlement.get(settlement.id)?.count ?? 0n,
  }));
  const txOwners = new Map<bigint, bigint>();
  for (const settlement of settlements) {
    const where = `settlement ${settlement.id} (${settlement.kind}, batch ${settlement.batch_id} ${settlement.currency})`;
    if (
      (settlement.kind === 'rows' || settlement.kind === 'row') &&
      BigInt(settlement.rows_net) !== settlement.net_minor
    ) {
      problems.push(
        `${where}: its rows net ${settlement.rows_net}, it records ${settlement.net_minor}`,
      );
    }
    if (settlement.kind === 'row' && settlement.row_count !== 1n)
      problems.push(`${where}: settles ${settlement.row_count} rows, not one`);
    if (settlement.tx_id === null) {
      if (settlement.posted_at !== null && settlement.net_minor !== 0n)
        problems.push(`${where}: marked posted without a transaction`);
      continue;
    }
    const other = txOwners.get(settlement.tx_id);
    if (other !== undefined)
      problems.push(`${where}: its transaction ${settlement.tx_id} also posts settlement ${other}`);
    txOwners.set(settlement.tx_id, settlement.id);
    // Since the bank leg (issue 16) a settlement moves the money into transit; older books moved it straight to the bank.
    const toTransit = await reads.movedOnAnyCurrency(
      settlement.tx_id,
      bankInTransit(settlement.psp),
    );
    const moved =
      toTransit !== 0n
        ? toTransit
        : await reads.movedOnAnyCurrency(settlement.tx_id, bankOperating);
    if (moved !== settlement.net_minor)
      problems.push(
        `${where}: transaction ${settlement.tx_id} moved ${moved} to the bank, not ${settlement.net_minor}`,
      );
  }
  const strays = await reads.settlementTransactions();
  for (const stray of strays)
    if (!txOwners.has(stray.id))
      problems.push(`tx ${stray.id} (${stray.kind}) belongs to no settlement`);
  const unsettled = await reads.unsettledRows();
  for (const row of unsettled)
    problems.push(
      `${row.file_name}:${row.line} is matched in paid-out batch ${row.batch_id} but never reached the bank`,
    );

  const feeRuns = await reads.feeRuns();
  for (const run of feeRuns) {
    const txId = await reads.transactionIdByKey(
      settlementPspFeesKey(run.psp, run.file_sha256, run.currency),
    );
    const booked = txId === undefined ? 0n : await reads.pspFeesOf(txId);
    if (booked !== BigInt(run.fees)) {
      problems.push(
        `run ${run.run_id}: rows with fees booked by the run sum to ${formatAmount(run.fees, run.currency)} ${run.currency}, its PSP-fee posting books ${formatAmount(booked, run.currency)}`,
      );
    }
  }
  const doubleFees = await reads.feesBookedTwice();
  for (const row of doubleFees)
    problems.push(
      `${row.internal_ref}: its PSP fee was booked at capture and again from a settlement file`,
    );

  const decided = new Set<number>();
  const decisions = await reads.decisions();
  for (const decision of decisions) {
    for (const txId of decision.txIds) {
      if (decided.has(txId)) problems.push(`tx ${txId} is claimed by more than one decision`);
      decided.add(txId);
    }
  }
  const reconcileTxs = await reads.reconcileTransactions();
  for (const tx of reconcileTxs)
    if (!decided.has(Number(tx.id)))
      problems.push(`tx ${tx.id} (${tx.kind}) was posted by no recorded decision`);

  const batches = await reads.resolvedPaidBatches();
  for (const batch of batches) {
    if (BigInt(batch.settled) !== batch.payout_minor) {
      const currency = batch.currency;
      problems.push(
        `batch ${batch.batch_id} (${batch.psp}) is resolved, yet the books moved ${formatAmount(BigInt(batch.settled), currency)} ${currency} to the bank for a payout of ${formatAmount(batch.payout_minor, currency)} ${currency}`,
      );
    }
  }
  return { problems, settlements: settlements.length, decisions: decisions.length };
}
