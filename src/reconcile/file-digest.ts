import { createHash } from 'node:crypto';
import fs from 'node:fs';

/** SHA-256 and size of a file's bytes, read as a stream: a run is keyed by it, so the same file is imported once. */
export async function fileDigest(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of fs.createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}
