/**
 * The few styles payops uses. Plain (identity) unless colour is on, in which case chalk is loaded
 * once, on demand: piped and cron runs, which never colour, do not pay for loading it.
 */
export type Style = (text: string) => string;
export interface Palette {
  bold: Style;
  dim: Style;
  red: Style;
  green: Style;
  yellow: Style;
  cyan: Style;
}

const plain: Style = (text) => text;
export const PLAIN: Palette = {
  bold: plain,
  dim: plain,
  red: plain,
  green: plain,
  yellow: plain,
  cyan: plain,
};

let coloured: Palette | undefined;

/** Colour only on a terminal, never under NO_COLOR (chalk alone does not read it) or --no-color. */
export function colourWanted(argv: readonly string[]): boolean {
  const noColor = process.env.NO_COLOR;
  return (
    process.stdout.isTTY === true &&
    !(noColor !== undefined && noColor !== '') &&
    !argv.includes('--no-color')
  );
}

export async function loadPalette(wanted: boolean): Promise<void> {
  if (!wanted || coloured) return;
  const { Chalk } = await import('chalk');
  const chalk = new Chalk({ level: 1 });
  coloured = {
    bold: chalk.bold,
    dim: chalk.dim,
    red: chalk.red,
    green: chalk.green,
    yellow: chalk.yellow,
    cyan: chalk.cyan,
  };
}

export function palette(wanted: boolean): Palette {
  return wanted && coloured ? coloured : PLAIN;
}
