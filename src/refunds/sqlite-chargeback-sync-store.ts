import { type Database, inTransaction } from '../db/index.js';
import { Ledger } from '../ledger/index.js';
import { PaymentsStore } from '../payments/store.js';
import type { Dispute } from '../psp/port.js';
import { Wallets } from '../wallet/wallet-store.js';
import { ChargebackRecorder } from './chargeback-recorder.js';
import type { ChargebackSyncStore, DisputeRecord } from './chargeback-sync-store.js';
import { ChargebackStore } from './chargebacks-store.js';

/** The chargeback recorder on one SQLite connection, inside the transaction its caller holds. */
export function sqliteChargebackRecorder(db: Database, psp: string): ChargebackRecorder {
  return new ChargebackRecorder(
    {
      ledger: new Ledger(db),
      wallets: new Wallets(db),
      orders: new PaymentsStore(db),
      chargebacks: new ChargebackStore(db),
    },
    psp,
  );
}

/** `chargebacks sync` on SQLite: the disputes recorded in one transaction, as before the port. */
export class SqliteChargebackSyncStore implements ChargebackSyncStore {
  constructor(private readonly db: Database) {}

  async recordDisputes(
    disputes: readonly Dispute[],
    psp: string,
    now: () => string,
    beforeCommit?: () => void,
  ): Promise<DisputeRecord[]> {
    return inTransaction(this.db, () => {
      const recorder = sqliteChargebackRecorder(this.db, psp);
      const at = now();
      const records = disputes.map((dispute) => recorder.record(dispute, at));
      beforeCommit?.();
      return records;
    });
  }
}
