const REDACTED = '***';
const URL_USER_INFO = /([a-z][a-z0-9+.-]*:\/\/)[^/?#@\s]*@/gi;
const SECRET_QUERY_PARAMETER =
  /([?&;][^=&#\s]*(?:key|secret|token|password|passwd|credential|auth|sig)[^=&#\s]*=)[^&#\s]*/gi;
const KEY_SHAPED = /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]+|\bwhsec_[A-Za-z0-9]+/g;

/**
 * Text with the secrets a URL or a careless argument can carry replaced by `***`: a URL's whole
 * user information (Stripe takes the key as the user name: `https://sk_live_…:@api.stripe.com`),
 * a query parameter whose name says it holds a secret (`?api_key=…`) and anything shaped like a
 * Stripe key. For what payops records or prints of a command line or a setting.
 */
export function redactSecretsIn(text: string): string {
  return text
    .replace(URL_USER_INFO, `$1${REDACTED}@`)
    .replace(SECRET_QUERY_PARAMETER, `$1${REDACTED}`)
    .replace(KEY_SHAPED, REDACTED);
}

export { REDACTED };
