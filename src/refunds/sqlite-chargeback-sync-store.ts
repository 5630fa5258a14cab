import { type Database, inTransaction } from '../db/index.js';
import type { Dispute } from '../psp/port.js';
import { ChargebackRecorder } from './chargeback-recorder.js';
import type { ChargebackSyncStore, DisputeRecord } from './chargeback-sync-store.js';

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
      const recorder = new ChargebackRecorder(this.db, psp);
      const at = now();
      const records = disputes.map((dispute) => recorder.record(dispute, at));
      beforeCommit?.();
      return records;
    });
  }
}
