import { UsageError } from '../../errors.js';

/** Where the SDK sends its requests: Stripe's API unless `--psp-url` points elsewhere (a mock). */
export interface StripeEndpoint {
  protocol: 'http' | 'https';
  host: string;
  port: number;
}

export interface StripeSettings {
  /** The secret or restricted key; held in memory only, never logged, printed or stored. */
  apiKey: string;
  /** Undefined: Stripe's own API (https://api.stripe.com). */
  endpoint: StripeEndpoint | undefined;
}

// Secret (sk_) and restricted (rk_) keys, test or live mode. A publishable key (pk_) cannot charge.
const KEY = /^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/;

/**
 * Reads the key from the environment (STRIPE_API_KEY only: a flag would leave it in shell history
 * and process listings) and the optional base URL, and refuses anything unusable before a single
 * request is made. Messages never repeat the key.
 */
export function stripeSettingsFrom(
  env: NodeJS.ProcessEnv,
  baseUrl: string | undefined,
): StripeSettings {
  const apiKey = env.STRIPE_API_KEY;
  if (apiKey === undefined || apiKey === '') {
    throw new UsageError('--psp stripe needs a Stripe secret key, and STRIPE_API_KEY is not set', {
      hint: 'export STRIPE_API_KEY=sk_test_… (or sk_live_…, rk_…) in the environment; payops takes the key from nowhere else',
    });
  }
  if (apiKey.startsWith('pk_')) {
    throw new UsageError(
      'STRIPE_API_KEY holds a publishable key (pk_…), which cannot create charges',
      { hint: "use the account's secret key (sk_…) or a restricted key (rk_…)" },
    );
  }
  if (!KEY.test(apiKey)) {
    throw new UsageError(
      'STRIPE_API_KEY does not look like a Stripe secret key (sk_test_…, sk_live_…, rk_test_… or rk_live_…)',
      {
        hint: 'check for quotes, spaces or a line break around the value',
      },
    );
  }
  const endpoint = baseUrl === undefined ? undefined : endpointOf(baseUrl);
  if (endpoint?.protocol === 'http' && apiKey.includes('_live_')) {
    throw new UsageError(
      `--psp-url ${baseUrl}: refusing to send a live Stripe key over plain http`,
      { hint: 'use an https:// URL, or a test key (sk_test_…) for a local mock' },
    );
  }
  return { apiKey, endpoint };
}

function endpointOf(baseUrl: string): StripeEndpoint {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new UsageError(`--psp-url: "${baseUrl}" is not a URL`, {
      hint: 'e.g. --psp-url http://127.0.0.1:12111 for a local Stripe mock',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--psp-url ${baseUrl}: only http:// and https:// are supported`);
  if (url.username || url.password)
    throw new UsageError(`--psp-url: credentials do not belong in the URL`, {
      hint: 'the key comes from STRIPE_API_KEY',
    });
  // The SDK appends /v1/… to the host itself: a path, query or fragment would be silently dropped.
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new UsageError(
      `--psp-url ${baseUrl}: give the server's origin only, without a path or query`,
      { hint: 'e.g. http://127.0.0.1:12111' },
    );
  }
  const protocol = url.protocol === 'https:' ? 'https' : 'http';
  return {
    protocol,
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? (protocol === 'https' ? 443 : 80) : Number(url.port),
  };
}
