import { fileDigest } from '../reconcile/file-digest.js';
import { type StatementReadOptions, openStatement } from './formats/index.js';
import type { StatementInput } from './statement-import-store.js';

/**
 * A statement file made ready for `reconcileStatement`: its format settled (forced, a mapping,
 * or detected), its parts sum-checked as they stream, its SHA-256 and size for the run's key.
 * Throws before anything is opened in the database when the file cannot be a statement.
 */
export async function statementInput(
  file: string,
  options: StatementReadOptions,
): Promise<StatementInput> {
  const reader = await openStatement(file, options);
  const digest = await fileDigest(file);
  return {
    name: file,
    sha256: digest.sha256,
    bytes: digest.bytes,
    format: reader.format,
    parts: reader.parts(),
  };
}
