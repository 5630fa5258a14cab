import type { Command } from 'commander';

/** One command of the tree: its path below the program, its subcommands and its flags. */
export interface CompletionNode {
  path: string[];
  description: string;
  subcommands: string[];
  flags: { flag: string; description: string }[];
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** The program and every command below it, depth first, from commander's own tree. */
function completionNodes(program: Command): CompletionNode[] {
  const nodes: CompletionNode[] = [];
  const visit = (command: Command, path: string[]): void => {
    nodes.push({
      path,
      description: command.description(),
      subcommands: command.commands.map((sub) => sub.name()),
      flags: command.options.flatMap((option) =>
        [option.long, option.short]
          .filter((flag): flag is string => flag !== undefined)
          .map((flag) => ({ flag, description: option.description })),
      ),
    });
    for (const sub of command.commands) visit(sub, [...path, sub.name()]);
  };
  visit(program, []);
  return nodes;
}

export function completionScript(program: Command, shell: Shell): string {
  const nodes = completionNodes(program);
  if (shell === 'fish') return fishScript(program.name(), nodes);
  const bash = bashScript(program.name(), nodes);
  // zsh runs the bash function through its own bashcompinit layer: one generated script, two shells.
  return shell === 'zsh'
    ? `#compdef ${program.name()}\nautoload -U +X bashcompinit && bashcompinit\n${bash}`
    : bash;
}

/** Command names and flags are [a-z0-9-] (checked), so they go into the script unquoted. */
function word(text: string): string {
  if (!/^-{0,2}[A-Za-z0-9][A-Za-z0-9-]*$/.test(text))
    throw new Error(`completion: "${text}" is not a plain command or flag name`);
  return text;
}

function bashScript(name: string, nodes: readonly CompletionNode[]): string {
  // Global flags work after any command; --version only on the program itself.
  const globalFlags = (nodes[0]?.flags ?? [])
    .map((f) => word(f.flag))
    .filter((flag) => flag !== '--version' && flag !== '-V');
  const pathPattern = (node: CompletionNode) =>
    `"${node.path.map((part) => ` ${word(part)}`).join('')}"`;
  const deeper = nodes.filter((node) => node.path.length > 0).map(pathPattern);
  const cases = nodes.map((node) => {
    const words = [
      ...node.subcommands.map(word),
      ...node.flags.map((f) => word(f.flag)),
      ...(node.path.length > 0 ? globalFlags : []),
      '--help',
    ];
    return `    ${pathPattern(node)}) words="${[...new Set(words)].join(' ')}" ;;`;
  });
  const fn = `_${name}_completion`;
  return `# ${name} completion for bash: eval "$(${name} completion bash)", or save it in /etc/bash_completion.d/${name}
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" words="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${path} \${COMP_WORDS[i]}" in
      ${deeper.join('|')}) path="\${path} \${COMP_WORDS[i]}" ;;
    esac
  done
  case "\${path}" in
${cases.join('\n')}
  esac
  COMPREPLY=($(compgen -W "\${words}" -- "\${cur}"))
}
complete -o default -F ${fn} ${name}
`;
}

function fishQuote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function fishScript(name: string, nodes: readonly CompletionNode[]): string {
  const lines = [
    `# ${name} completion for fish: ${name} completion fish > ~/.config/fish/completions/${name}.fish`,
  ];
  const globalFlags = nodes[0]?.flags ?? [];
  for (const node of nodes) {
    const seen = node.path.map((part) => `__fish_seen_subcommand_from ${word(part)}`);
    const notYet =
      node.subcommands.length > 0
        ? [`not __fish_seen_subcommand_from ${node.subcommands.map(word).join(' ')}`]
        : [];
    const condition = node.path.length === 0 ? ['__fish_use_subcommand'] : [...seen, ...notYet];
    const when = `-n ${fishQuote(condition.join('; and '))}`;
    for (const sub of nodes.filter(
      (other) =>
        other.path.length === node.path.length + 1 &&
        other.path.slice(0, -1).join(' ') === node.path.join(' '),
    )) {
      lines.push(
        `complete -c ${name} ${when} -f -a ${word(sub.path[sub.path.length - 1] as string)} -d ${fishQuote(sub.description.slice(0, 80))}`,
      );
    }
    const flags = node.path.length === 0 ? globalFlags : node.flags;
    const flagWhen = node.path.length === 0 ? '' : ` -n ${fishQuote(seen.join('; and '))}`;
    for (const { flag, description } of flags) {
      const spec = flag.startsWith('--')
        ? `-l ${word(flag.slice(2))}`
        : `-s ${word(flag.slice(1))}`;
      lines.push(
        `complete -c ${name}${flagWhen} ${spec} -d ${fishQuote(description.slice(0, 80))}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
