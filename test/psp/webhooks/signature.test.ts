import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  signatureHeader,
  verifySignature,
  webhookSecretFromEnv,
} from '../../../src/psp/webhooks/signature.js';

const SECRET = 'whsec_test_0123456789abcdef';
const BODY = '{"id":"evt_1","type":"charge.succeeded"}';
const NOW_S = 1_795_000_000;

describe('webhook signatures', () => {
  it('signs t.body with HMAC-SHA256 in the Payops-Signature format, and verifies it', () => {
    const header = signatureHeader(SECRET, BODY, NOW_S);
    const expected = createHmac('sha256', SECRET).update(`${NOW_S}.${BODY}`).digest('hex');
    expect(header).toBe(`t=${NOW_S},v1=${expected}`);
    expect(verifySignature(header, BODY, SECRET, 300, NOW_S + 299)).toEqual({
      ok: true,
      timestampS: NOW_S,
    });
  });

  it('refuses a forged body, another secret, and a signature moved to another timestamp', () => {
    const header = signatureHeader(SECRET, BODY, NOW_S);
    expect(
      verifySignature(header, BODY.replace('succeeded', 'failed'), SECRET, 300, NOW_S),
    ).toEqual({ ok: false, reason: 'the signature does not match the body' });
    expect(verifySignature(header, BODY, `${SECRET}x`, 300, NOW_S)).toMatchObject({ ok: false });
    const moved = header.replace(`t=${NOW_S}`, `t=${NOW_S + 100}`);
    expect(verifySignature(moved, BODY, SECRET, 300, NOW_S + 100)).toMatchObject({
      ok: false,
      reason: 'the signature does not match the body',
    });
  });

  it('refuses a stale or a future timestamp beyond the tolerance, in either direction', () => {
    const header = signatureHeader(SECRET, BODY, NOW_S);
    expect(verifySignature(header, BODY, SECRET, 300, NOW_S + 301)).toEqual({
      ok: false,
      reason: 'the signature timestamp is 301 s away from now (tolerance 300 s)',
    });
    expect(verifySignature(header, BODY, SECRET, 300, NOW_S - 301)).toMatchObject({ ok: false });
  });

  it('accepts any matching v1 among several (secret rotation) and refuses malformed headers', () => {
    const good = signatureHeader(SECRET, BODY, NOW_S).split(',')[1] as string;
    expect(
      verifySignature(`t=${NOW_S},v1=${'0'.repeat(64)},${good}`, BODY, SECRET, 300, NOW_S),
    ).toMatchObject({ ok: true });
    expect(verifySignature(undefined, BODY, SECRET, 300, NOW_S)).toEqual({
      ok: false,
      reason: 'no Payops-Signature header',
    });
    expect(verifySignature(`v1=${'0'.repeat(64)}`, BODY, SECRET, 300, NOW_S)).toEqual({
      ok: false,
      reason: 'the signature header has no timestamp',
    });
    expect(verifySignature(`t=${NOW_S},v1=short`, BODY, SECRET, 300, NOW_S)).toEqual({
      ok: false,
      reason: 'the signature header has no v1 signature',
    });
    expect(
      verifySignature(`t=${NOW_S},v0=${'0'.repeat(64)}`, BODY, SECRET, 300, NOW_S),
    ).toMatchObject({ ok: false });
  });

  it('takes the secret from the environment only, and refuses a short one', () => {
    expect(webhookSecretFromEnv({ PAYOPS_WEBHOOK_SECRET: SECRET })).toBe(SECRET);
    expect(() => webhookSecretFromEnv({})).toThrow(/PAYOPS_WEBHOOK_SECRET must hold/);
    expect(() => webhookSecretFromEnv({ PAYOPS_WEBHOOK_SECRET: 'short' })).toThrow(
      /16 characters or more/,
    );
  });
});
