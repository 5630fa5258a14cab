import crypto from 'node:crypto';

// One-shot hashing (Node ≥ 20.12) allocates no Hash object per call; every posted transaction,
// accepted event and PSP request is hashed, so it shows on the hot paths.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string })
  .hash;

/** SHA-256 of the UTF-8 text, as 64 lower-case hex digits. */
export function sha256Hex(text: string): string {
  return oneShot
    ? oneShot('sha256', text, 'hex')
    : crypto.createHash('sha256').update(text).digest('hex');
}
