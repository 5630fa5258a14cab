import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { InputDigest } from './store.js';

const CHUNK_BYTES = 1 << 20;

/** SHA-256 of a regular file, read in chunks; undefined for anything else (the command reports it). */
export function digestFile(file: string): InputDigest | undefined {
  let fd: number | undefined;
  try {
    if (fs.statSync(file, { throwIfNoEntry: false })?.isFile() !== true) return undefined;
    fd = fs.openSync(file, 'r');
    const hash = crypto.createHash('sha256');
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let bytes = 0;
    for (
      let read = fs.readSync(fd, buffer, 0, CHUNK_BYTES, null);
      read > 0;
      read = fs.readSync(fd, buffer, 0, CHUNK_BYTES, null)
    ) {
      hash.update(buffer.subarray(0, read));
      bytes += read;
    }
    return { path: path.resolve(file), bytes, sha256: hash.digest('hex') };
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
