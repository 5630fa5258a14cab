import fs from 'node:fs';
import path from 'node:path';

/** Writes events as an NDJSON file named `name` in `dir` and returns its path. */
export function eventsFile(dir: string, name: string, ...events: unknown[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `${events.map((event) => JSON.stringify(event)).join('\n')}\n`);
  return file;
}
