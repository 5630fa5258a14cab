import fs from 'node:fs';
import { UsageError } from '../errors.js';

/**
 * The first `bytes` of a file a format is detected from; UsageError naming it as `what` (e.g.
 * "settlement file") when it does not exist, is a directory or cannot be read.
 */
export async function readFileHead(file: string, bytes: number, what: string): Promise<Buffer> {
  const unreadable = (error: NodeJS.ErrnoException): never => {
    const reason =
      error.code === 'ENOENT'
        ? 'does not exist'
        : error.code === 'EISDIR'
          ? 'is a directory'
          : `cannot be read (${error.code ?? error.message})`;
    throw new UsageError(`${what} ${file} ${reason}`);
  };
  const handle = await fs.promises.open(file, 'r').catch(unreadable);
  try {
    const { buffer, bytesRead } = await handle
      .read(Buffer.alloc(bytes), 0, bytes, 0)
      .catch(unreadable);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
