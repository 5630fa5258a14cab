import fs from 'node:fs';
import path from 'node:path';

/** The file's real path (symlinks resolved); the resolved spelling for a file not made yet. */
export function realPathOf(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}
