import { REDACTED, redactSecretsIn } from '../redact.js';

/**
 * The commands recorded as runs: each moves money or settles it (DESIGN.md §9, issue 15). Named by
 * their path below the program, as typed. Reading commands (lists, reports, check) are not runs,
 * nor is `psp settle`: the simulated PSP writing its own file touches no book (the settlement run
 * of the books is `reconcile run` of that file). `webhooks listen` is a server, not a run.
 */
export const RUN_COMMANDS: ReadonlySet<string> = new Set([
  'payin run',
  'payout run',
  'retry run',
  'reconcile run',
  'reconcile bank',
  'reconcile review',
  'reconcile decide',
  'dlq requeue',
  'webhooks replay',
  'chargebacks sync',
  'orders sync',
  'attention resolve',
]);

/** Options whose value names an input file whose digest the run keeps (besides positional files). */
export const INPUT_FILE_OPTIONS: readonly string[] = ['file', 'rules', 'mapping'];

/** At most this many input files are hashed per run: a shell glob must not turn recording into the work. */
export const MAX_INPUT_FILES = 64;

const SECRET_NAME = /(key|secret|token|password|passwd|credential|auth)/i;

/**
 * The command line as recorded: the value of any flag whose name says it holds a secret
 * (`--api-key x`, `--webhook-secret=x`), a URL's whole user information (Stripe takes the key as
 * the user name: `https://sk_live_…:@api.stripe.com`), a query parameter whose name says it holds a
 * secret (`?api_key=…`) and anything shaped like a Stripe key become `***`. Secrets belong in the
 * environment (DESIGN.md §9); this is the net for a mistake.
 */
export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  let hideNext = false;
  for (const arg of argv) {
    if (hideNext) {
      out.push(REDACTED);
      hideNext = false;
      continue;
    }
    const flag = /^(--?[A-Za-z0-9-]+)(=.*)?$/s.exec(arg);
    if (flag && SECRET_NAME.test(flag[1] as string)) {
      if (flag[2] === undefined) hideNext = true;
      out.push(flag[2] === undefined ? arg : `${flag[1]}=${REDACTED}`);
      continue;
    }
    out.push(redactSecretsIn(arg));
  }
  return out;
}
