import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { redactSecretsIn } from '../redact.js';
import type { LoadedConfig } from './load.js';
import type { PayopsConfig } from './schema.js';

/**
 * One setting: which option of which command it fills, and its environment variable. Commander
 * keeps each option value's source (cli, env, config, default); payops fills from the file only
 * what neither a flag nor the environment set, so flags beat environment beat file, once, here.
 */
interface Setting {
  key: keyof PayopsConfig;
  option: string;
  on: 'root' | 'action';
  env?: string;
  fromFile: (settings: PayopsConfig) => unknown;
  /** What applies when nothing sets it; null: none. */
  fallback: string | null;
}

const SETTINGS: readonly Setting[] = [
  {
    key: 'db',
    option: 'db',
    on: 'root',
    env: 'PAYOPS_DB',
    fromFile: (s) => s.db,
    fallback: './payops.db',
  },
  {
    key: 'busyTimeoutMs',
    option: 'busyTimeout',
    on: 'root',
    fromFile: (s) => s.busyTimeoutMs,
    fallback: '5000',
  },
  {
    key: 'psp',
    option: 'psp',
    on: 'action',
    env: 'PAYOPS_PSP',
    fromFile: (s) => s.psp,
    fallback: 'sim',
  },
  {
    key: 'pspUrl',
    option: 'pspUrl',
    on: 'action',
    env: 'PAYOPS_PSP_URL',
    fromFile: (s) => s.pspUrl,
    fallback: null,
  },
  { key: 'rules', option: 'rules', on: 'action', fromFile: (s) => s.rules, fallback: null },
];

const OUTPUT_FORMATS = ['text', 'json', 'csv'] as const;
type OutputFormat = (typeof OUTPUT_FORMATS)[number];

const OVERRIDABLE = new Set([undefined, 'default', 'implied']);

/** An environment value meets the option's choices as a flag would; a wrong one is a usage error naming the variable. */
function checkedChoice(command: Command, setting: Setting, value: string): string {
  const choices = command.options.find(
    (option) => option.attributeName() === setting.option,
  )?.argChoices;
  if (choices !== undefined && !choices.includes(value)) {
    throw new UsageError(
      `${setting.env}=${value.slice(0, 40)}: expected one of ${choices.join(', ')}`,
      { hint: `fix or unset ${setting.env}` },
    );
  }
  return value;
}

function hasOption(command: Command, name: string): boolean {
  return command.options.some((option) => option.attributeName() === name);
}

/** Fills the root's and the acting command's options from the environment (PAYOPS_DB) and the file. */
export function applyConfig(
  root: Command,
  action: Command,
  config: LoadedConfig,
  env: NodeJS.ProcessEnv = process.env,
): void {
  for (const setting of SETTINGS) {
    const command = setting.on === 'root' ? root : action;
    if (
      !hasOption(command, setting.option) ||
      !OVERRIDABLE.has(command.getOptionValueSource(setting.option))
    )
      continue;
    // Filled here rather than by Option.env, because an empty variable is unset (as PAYOPS_DB always was).
    const fromEnv = setting.env === undefined ? undefined : env[setting.env];
    if (fromEnv !== undefined && fromEnv !== '') {
      command.setOptionValueWithSource(
        setting.option,
        checkedChoice(command, setting, fromEnv),
        'env',
      );
      continue;
    }
    const value = setting.fromFile(config.settings);
    if (value !== undefined) command.setOptionValueWithSource(setting.option, value, 'config');
  }
  applyOutput(action, config, env);
}

/**
 * The output format: a --json or --csv typed wins; else PAYOPS_OUTPUT (text, json or csv: the way
 * back to text when the file says json); else the file. Only where the command has that flag.
 */
function applyOutput(action: Command, config: LoadedConfig, env: NodeJS.ProcessEnv): void {
  const typed = ['json', 'csv'].some(
    (flag) => hasOption(action, flag) && !OVERRIDABLE.has(action.getOptionValueSource(flag)),
  );
  if (typed) return;
  const fromEnv = env.PAYOPS_OUTPUT;
  if (
    fromEnv !== undefined &&
    fromEnv !== '' &&
    !(OUTPUT_FORMATS as readonly string[]).includes(fromEnv)
  ) {
    throw new UsageError(
      `PAYOPS_OUTPUT=${fromEnv.slice(0, 40)}: expected one of ${OUTPUT_FORMATS.join(', ')}`,
      { hint: 'fix or unset PAYOPS_OUTPUT' },
    );
  }
  const format = (fromEnv || config.settings.output) as OutputFormat | undefined;
  if (format === undefined || format === 'text' || !hasOption(action, format)) return;
  action.setOptionValueWithSource(format, true, fromEnv ? 'env' : 'config');
}

export interface EffectiveSetting {
  key: keyof PayopsConfig;
  /** null: not set and no default (no PSP URL, no rules file). */
  value: string | null;
  /** `flag`, `environment`, `file`, `default`. */
  source: 'flag' | 'environment' | 'file' | 'default';
  /** The flag, variable or file it came from. */
  from: string | null;
}

/** Each setting's value for this command and where it came from (after applyConfig); a URL's secrets shown as `***`. */
export function effectiveSettings(
  root: Command,
  action: Command,
  config: LoadedConfig,
): EffectiveSetting[] {
  const settings = SETTINGS.map((setting) => {
    const command = setting.on === 'root' ? root : action;
    const source = hasOption(command, setting.option)
      ? command.getOptionValueSource(setting.option)
      : undefined;
    const raw = hasOption(command, setting.option)
      ? command.getOptionValue(setting.option)
      : undefined;
    const value = raw === undefined ? setting.fallback : redactSecretsIn(String(raw));
    return described(
      setting.key,
      value,
      source,
      `--${flagName(setting.option)}`,
      setting.env,
      config,
    );
  });
  return [...settings, outputSetting(action, config)];
}

function outputSetting(action: Command, config: LoadedConfig): EffectiveSetting {
  const chosen = (['json', 'csv'] as const).find(
    (flag) => hasOption(action, flag) && action.getOptionValue(flag) === true,
  );
  const source =
    chosen === undefined
      ? config.settings.output === undefined
        ? undefined
        : 'config'
      : action.getOptionValueSource(chosen);
  const value = chosen ?? (source === 'config' ? (config.settings.output ?? 'text') : 'text');
  return described('output', value, source, `--${chosen ?? 'json'}`, 'PAYOPS_OUTPUT', config);
}

function described(
  key: keyof PayopsConfig,
  value: string | null,
  source: string | undefined,
  flag: string,
  env: string | undefined,
  config: LoadedConfig,
): EffectiveSetting {
  if (source === 'cli') return { key, value, source: 'flag', from: flag };
  if (source === 'env') return { key, value, source: 'environment', from: env ?? null };
  if (source === 'config') return { key, value, source: 'file', from: config.file ?? null };
  return { key, value, source: 'default', from: null };
}

function flagName(attribute: string): string {
  return attribute === 'json' ? 'json' : attribute.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
