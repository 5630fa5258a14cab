// The HTTP path alone: N charges straight through the http adapter (32 in flight) to a running
// `payops psp serve`, with none of payops' own work (no intake, no orders, no ledger). Prints one
// JSON object: what the PSP path can carry on this machine, the ceiling of the http stage.
//   node bench/stages/http-baseline.mjs URL N
import { HttpPsp } from '../../dist/psp/http/client.js';

const [url, count] = process.argv.slice(2);
const n = Number(count);
const psp = new HttpPsp({ baseUrl: url, timeoutMs: 30_000, concurrency: 32 });
const requests = Array.from({ length: n }, (_, i) => ({
  idempotencyKey: `bench-${i}`,
  merchantReference: `bench_${i}`,
  amountMinor: 2500n,
  currency: 'USD',
  paymentToken: 'tok_visa',
}));
const results = await psp.charge(requests);
psp.close();
const failed = results.filter((result) => result.status !== 'succeeded').length;
if (failed > 0) throw new Error(`${failed} of ${n} charges did not succeed`);
process.stdout.write(`${JSON.stringify(psp.callStats())}\n`);
