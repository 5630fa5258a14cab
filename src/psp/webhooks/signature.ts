import { createHmac, timingSafeEqual } from 'node:crypto';
import { UsageError } from '../../errors.js';

/**
 * Webhook signatures, in the manner of Stripe's: `Payops-Signature: t=<unix seconds>,v1=<hex>`,
 * where v1 is HMAC-SHA256 with the shared secret over `<t>.<raw body>`. Signing the timestamp with
 * the body lets the receiver refuse an old, captured delivery (replay) as well as a forged one.
 */
export const SIGNATURE_HEADER = 'payops-signature';
const SECRET_ENV = 'PAYOPS_WEBHOOK_SECRET';

/** The secret, from the environment only (never a flag: flags end up in shell history and `ps`). */
export function webhookSecretFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const secret = env[SECRET_ENV];
  if (secret === undefined || secret.length < 16) {
    throw new UsageError(
      `${SECRET_ENV} must hold the webhook signing secret (16 characters or more)`,
      {
        hint: `export ${SECRET_ENV}=… with the same value for \`payops psp serve\` and \`payops webhooks listen\``,
      },
    );
  }
  return secret;
}

export function signatureHeader(secret: string, body: string, timestampS: number): string {
  return `t=${timestampS},v1=${hmac(secret, timestampS, body)}`;
}

export type Verification = { ok: true; timestampS: number } | { ok: false; reason: string };

/**
 * Checks a signature header against the raw body: a v1 signature must match (compared in constant
 * time; several v1 entries are allowed, for secret rotation) and `t` must lie within `toleranceS`
 * of `nowS`, in either direction. `now` names that moment in the reason (a replay measures from
 * the time a delivery was received).
 */
export function verifySignature(
  header: string | undefined,
  body: string,
  secret: string,
  toleranceS: number,
  nowS: number,
  now = 'now',
): Verification {
  if (header === undefined || header === '')
    return { ok: false, reason: 'no Payops-Signature header' };
  let timestampS: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [name, value = ''] = part.trim().split('=', 2);
    if (name === 't' && /^\d{1,12}$/.test(value)) timestampS = Number(value);
    else if (name === 'v1' && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  if (timestampS === undefined)
    return { ok: false, reason: 'the signature header has no timestamp' };
  if (signatures.length === 0)
    return { ok: false, reason: 'the signature header has no v1 signature' };
  const expected = Buffer.from(hmac(secret, timestampS, body), 'hex');
  // Every candidate is compared, in constant time each, whatever the first one gave.
  let matched = false;
  for (const signature of signatures)
    matched = timingSafeEqual(expected, Buffer.from(signature, 'hex')) || matched;
  if (!matched) return { ok: false, reason: 'the signature does not match the body' };
  if (Math.abs(nowS - timestampS) > toleranceS)
    return {
      ok: false,
      reason: `the signature timestamp is ${Math.abs(nowS - timestampS)} s away from ${now} (tolerance ${toleranceS} s)`,
    };
  return { ok: true, timestampS };
}

function hmac(secret: string, timestampS: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestampS}.${body}`).digest('hex');
}
