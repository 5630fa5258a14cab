import type { Database } from '../db/index.js';
import { type Currency, formatAmount } from '../money/index.js';
import { BANK_OPERATING_ACCOUNT, bankInTransitAccount } from '../bank/accounts.js';

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
export function reconciliationProblems(db: Database): ReconciliationProblems {
  const problems: string[] = [];
  const bankMoved = db.prepare(
    `SELECT COALESCE(SUM(CASE e.direction WHEN 'debit' THEN e.amount_minor ELSE -e.amount_minor END), 0) AS moved
     FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id WHERE e.tx_id = ? AND a.name = ?`,
  );
  // One grouped pass over the rows, then the (few) settlements: no index on rows by settlement.
  const ofSettlement = new Map<bigint, { net: bigint; count: bigint }>();
  for (const row of db
    .prepare(
      'SELECT settlement_id, SUM(net_minor) AS net, COUNT(*) AS n FROM recon_rows WHERE settlement_id IS NOT NULL GROUP BY settlement_id',
    )
    .iterate() as Iterable<{
    settlement_id: bigint;
    net: bigint;
    n: bigint;
  }>) {
    ofSettlement.set(row.settlement_id, { net: BigInt(row.net), count: row.n });
  }
  const settlements = (
    db
      .prepare(
        'SELECT id, psp, kind, batch_id, currency, net_minor, tx_id, posted_at FROM recon_settlements ORDER BY id',
      )
      .all() as {
      id: bigint;
      psp: string;
      kind: string;
      batch_id: string;
      currency: string;
      net_minor: bigint;
      tx_id: bigint | null;
      posted_at: string | null;
    }[]
  ).map((settlement) => ({
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
    const toTransit = BigInt(
      (bankMoved.get(settlement.tx_id, bankInTransitAccount(settlement.psp)) as { moved: bigint })
        .moved,
    );
    const moved =
      toTransit !== 0n
        ? toTransit
        : BigInt(
            (bankMoved.get(settlement.tx_id, BANK_OPERATING_ACCOUNT) as { moved: bigint }).moved,
          );
    if (moved !== settlement.net_minor)
      problems.push(
        `${where}: transaction ${settlement.tx_id} moved ${moved} to the bank, not ${settlement.net_minor}`,
      );
  }
  const strays = db
    .prepare(
      `SELECT id, kind FROM ledger_transactions WHERE kind IN ('settlement.batch', 'settlement.row', 'settlement.record') ORDER BY id`,
    )
    .all() as { id: bigint; kind: string }[];
  for (const stray of strays)
    if (!txOwners.has(stray.id))
      problems.push(`tx ${stray.id} (${stray.kind}) belongs to no settlement`);
  const unsettled = db
    .prepare(
      `SELECT r.id, r.line, r.batch_id, u.file_name FROM recon_rows r JOIN recon_runs u ON u.id = r.run_id
       JOIN recon_batches b ON b.psp = r.psp AND b.batch_id = r.batch_id AND b.currency = r.currency
       WHERE r.class = 'matched' AND r.type <> 'payout' AND r.settlement_id IS NULL AND b.payout_minor IS NOT NULL LIMIT 20`,
    )
    .all() as { id: bigint; line: bigint; batch_id: string; file_name: string }[];
  for (const row of unsettled)
    problems.push(
      `${row.file_name}:${row.line} is matched in paid-out batch ${row.batch_id} but never reached the bank`,
    );

  const feeRuns = db
    .prepare(
      `SELECT f.fee_run_id AS run_id, f.currency, f.fees, u.psp, u.file_sha256 FROM
         (SELECT fee_run_id, currency, SUM(fee_minor) AS fees FROM recon_rows WHERE fee_run_id IS NOT NULL GROUP BY fee_run_id, currency) f
       JOIN recon_runs u ON u.id = f.fee_run_id`,
    )
    .all() as {
    run_id: bigint;
    currency: string;
    fees: bigint;
    psp: string;
    file_sha256: string;
  }[];
  const feeTx = db.prepare('SELECT id FROM ledger_transactions WHERE idempotency_key = ?');
  const pspFees = db.prepare(
    `SELECT COALESCE(SUM(CASE e.direction WHEN 'debit' THEN e.amount_minor ELSE -e.amount_minor END), 0) AS booked
     FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id WHERE e.tx_id = ? AND a.name = 'expenses:psp-fees'`,
  );
  for (const run of feeRuns) {
    const tx = feeTx.get(
      `settlement.psp-fees:${run.psp}:${run.file_sha256.slice(0, 16)}:${run.currency}`,
    ) as { id: bigint } | undefined;
    const booked = tx ? BigInt((pspFees.get(tx.id) as { booked: bigint }).booked) : 0n;
    if (booked !== BigInt(run.fees)) {
      problems.push(
        `run ${run.run_id}: rows with fees booked by the run sum to ${formatAmount(BigInt(run.fees), run.currency as Currency)} ${run.currency}, its PSP-fee posting books ${formatAmount(booked, run.currency as Currency)}`,
      );
    }
  }
  const doubleFees = db
    .prepare(
      `SELECT r.internal_ref FROM recon_rows r JOIN ledger_transactions t ON t.idempotency_key = 'payin.psp-fee:' || substr(r.internal_ref, 9)
       WHERE r.fee_run_id IS NOT NULL AND r.type = 'capture' AND r.internal_ref LIKE 'capture:%' LIMIT 20`,
    )
    .all() as { internal_ref: string }[];
  for (const row of doubleFees)
    problems.push(
      `${row.internal_ref}: its PSP fee was booked at capture and again from a settlement file`,
    );

  const decided = new Set<number>();
  const decisions = db.prepare('SELECT id, tx_ids FROM recon_decisions').all() as {
    id: bigint;
    tx_ids: string;
  }[];
  for (const decision of decisions) {
    for (const txId of JSON.parse(decision.tx_ids) as number[]) {
      if (decided.has(txId)) problems.push(`tx ${txId} is claimed by more than one decision`);
      decided.add(txId);
    }
  }
  const reconcileTxs = db
    .prepare("SELECT id, kind FROM ledger_transactions WHERE kind LIKE 'reconcile.%' ORDER BY id")
    .all() as { id: bigint; kind: string }[];
  for (const tx of reconcileTxs)
    if (!decided.has(Number(tx.id)))
      problems.push(`tx ${tx.id} (${tx.kind}) was posted by no recorded decision`);

  const batches = db
    .prepare(
      `SELECT b.psp, b.batch_id, b.currency, b.payout_minor,
              (SELECT COALESCE(SUM(s.net_minor), 0) FROM recon_settlements s
                WHERE s.psp = b.psp AND s.batch_id = b.batch_id AND s.currency = b.currency AND s.posted_at IS NOT NULL) AS settled
       FROM recon_batches b
       WHERE b.payout_minor IS NOT NULL AND NOT EXISTS (
         SELECT 1 FROM recon_items i WHERE i.psp = b.psp AND i.batch_id = b.batch_id AND i.currency = b.currency AND i.status = 'open')`,
    )
    .all() as {
    psp: string;
    batch_id: string;
    currency: string;
    payout_minor: bigint;
    settled: bigint;
  }[];
  for (const batch of batches) {
    if (BigInt(batch.settled) !== batch.payout_minor) {
      const currency = batch.currency as Currency;
      problems.push(
        `batch ${batch.batch_id} (${batch.psp}) is resolved, yet the books moved ${formatAmount(BigInt(batch.settled), currency)} ${currency} to the bank for a payout of ${formatAmount(batch.payout_minor, currency)} ${currency}`,
      );
    }
  }
  return { problems, settlements: settlements.length, decisions: decisions.length };
}
