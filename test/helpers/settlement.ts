import fs from 'node:fs';
import path from 'node:path';
import { type SettlementReadOptions, openSettlement } from '../../src/reconcile/formats/index.js';
import type {
  SettlementFormat,
  SettlementRow,
  SettlementRowError,
} from '../../src/reconcile/types.js';
import { REPO_ROOT } from './cli.js';

export const SETTLEMENT_FIXTURES = path.join(REPO_ROOT, 'fixtures', 'settlement');

export interface SettlementRead {
  format: SettlementFormat;
  rows: SettlementRow[];
  errors: SettlementRowError[];
}

/** Opens and reads a whole settlement file, collecting the bad rows instead of throwing. */
export async function readSettlement(
  file: string,
  options: Omit<SettlementReadOptions, 'onError'> = {},
): Promise<SettlementRead> {
  const errors: SettlementRowError[] = [];
  const reader = await openSettlement(file, { ...options, onError: (error) => errors.push(error) });
  const rows: SettlementRow[] = [];
  for await (const row of reader.rows()) rows.push(row);
  return { format: reader.format, rows, errors };
}

/** Writes `content` to `name` in `dir` and returns its path. */
export function writeFile(dir: string, name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}
