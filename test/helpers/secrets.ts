import fs from 'node:fs';
import path from 'node:path';

/**
 * Secrets (the Stripe API key, the webhook signing secret) come only from the environment and
 * must never be seen again: not in stdout or stderr, not in any file payops writes (the database,
 * the PSP's state, rejects files, exports). Tests plant recognizable values and look for them
 * everywhere afterwards. A new secret is one more entry here.
 */
export const PLANTED_SECRETS: Readonly<Record<string, string>> = {
  STRIPE_API_KEY: 'sk_test_PLANTED0secret0never0to0be0seen0a1b2c3',
  PAYOPS_WEBHOOK_SECRET: 'whsec_PLANTED0secret0never0to0be0seen0d4e5f6',
};

/** The environment with every planted secret set. */
export function withPlantedSecrets(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...env, ...PLANTED_SECRETS };
}

/**
 * Where a planted secret shows up: in the given outputs, or in any file under `directory` (read
 * as bytes, so a secret inside a binary SQLite page is found too; also as UTF-16, as SQLite could
 * store text). Returns "what: where" lines; empty when nothing leaked.
 */
export function findPlantedSecrets(
  outputs: Readonly<Record<string, string>>,
  directory: string,
): string[] {
  const found: string[] = [];
  for (const [name, secret] of Object.entries(PLANTED_SECRETS)) {
    for (const [where, text] of Object.entries(outputs))
      if (text.includes(secret)) found.push(`${name}: ${where}`);
    const needles = [Buffer.from(secret, 'utf8'), Buffer.from(secret, 'utf16le')];
    for (const file of filesUnder(directory)) {
      const bytes = fs.readFileSync(file);
      if (needles.some((needle) => bytes.includes(needle)))
        found.push(`${name}: ${path.relative(directory, file)}`);
    }
  }
  return found;
}

function filesUnder(directory: string): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    return entry.isDirectory() ? filesUnder(full) : entry.isFile() ? [full] : [];
  });
}
