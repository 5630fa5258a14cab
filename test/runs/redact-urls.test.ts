import { describe, expect, it } from 'vitest';
import { redactArgv } from '../../src/runs/index.js';

/**
 * `runs` records the command line; a secret in it must not be stored. Stripe keys are
 * passed as the URL's user name (`https://sk_live_…:@api.stripe.com`) and PSPs take `?api_key=`.
 */
describe('runs argv redaction of keys in URLs (found by the issue-15 review)', () => {
  it.each([
    ['https://sk_live_51Habc:@api.stripe.com'],
    ['https://sk_live_51Habc@api.stripe.com'],
    ['https://psp.example/v1?api_key=sk_live_51Habc'],
  ])('--psp-url %s keeps no secret', (url) => {
    expect(redactArgv(['payin', 'run', 'day.ndjson', '--psp-url', url]).join(' ')).not.toContain(
      'sk_live_51Habc',
    );
  });
});
