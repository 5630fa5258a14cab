// stripe-stateful-mock on a free loopback port, for the Stripe tests (test/helpers/stripe-mock.ts).
// Prints the port on its first line, and exits when its parent closes stdin (or dies).
const http = require('node:http');
const mockEntry = require.resolve('stripe-stateful-mock');
require(require.resolve('loglevel', { paths: [mockEntry] })).setLevel('silent');
const { createExpressApp } = require(mockEntry);

const server = http.createServer(createExpressApp());
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
