import type { Command } from 'commander';

/** `payops … --json` lines of the README's shell blocks, comment and redirection removed. */
export function readmeJsonCommands(readme: string): { text: string; args: string[] }[] {
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
  return blocks
    .flatMap((block) => block.split('\n'))
    .map((line) =>
      line
        .replace(/\s+#.*$/, '')
        .replace(/\s*>.*$/, '')
        .trim(),
    )
    .filter((line) => line.startsWith('payops ') && /(^|\s)--json(\s|$)/.test(line))
    .map((text) => ({ text, args: text.split(/\s+/).slice(1) }));
}

/** The command path ("orders list") an argument list runs, read from the command tree. */
export function resolveCommandPath(tree: Command, args: readonly string[]): string {
  const names: string[] = [];
  let node = tree;
  for (const arg of args) {
    const next = node.commands.find((command) => command.name() === arg);
    if (next === undefined) break;
    names.push(arg);
    node = next;
  }
  return names.join(' ');
}

/** Every object key that is not camelCase, with where it is. */
export function nonCamelKeys(value: unknown, where = '$'): string[] {
  if (Array.isArray(value))
    return value.flatMap((item, index) => nonCamelKeys(item, `${where}[${index}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) => [
    ...(/^[a-z][a-zA-Z0-9]*$/.test(key) ? [] : [`${where}.${key}`]),
    ...(key === 'metadata' ? [] : nonCamelKeys(item, `${where}.${key}`)),
  ]);
}
