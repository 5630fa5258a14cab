// Runs a node script in this process and, when it ends, reports this process's peak RSS on
// stderr (getrusage maxrss covers the whole process, native SQLite memory included).
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [script, ...rest] = process.argv.slice(2);
process.argv = [process.argv[0], script, ...rest];
process.on('exit', () =>
  process.stderr.write(`\nBENCH_RSS_KB=${process.resourceUsage().maxRSS}\n`),
);
await import(pathToFileURL(path.resolve(script)).href);
