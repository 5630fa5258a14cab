import type { Command } from 'commander';
import { UsageError } from '../errors.js';
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
  fallback: string;
}

export const SETTINGS: readonly Setting[] = [
  { key: 'db', option: 'db', on: 'root', env: 'PAYOPS_DB', fromFile: (s) => s.db, fallback: './payops.db' },
  { key: 'busyTimeoutMs', option: 'busyTimeout', on: 'root', fromFile: (s) => s.busyTimeoutMs, fallback: '5000' },
  { key: 'psp', option: 'psp', on: 'action', env: 'PAYOPS_PSP', fromFile: (s) => s.psp, fallback: 'sim' },
  { key: 'pspUrl', option: 'pspUrl', on: 'action', env: 'PAYOPS_PSP_URL', fromFile: (s) => s.pspUrl, fallback: '(none)' },
  { key: 'rules', option: 'rules', on: 'action', fromFile: (s) => s.rules, fallback: '(none)' },
  { key: 'output', option: 'json', on: 'action', fromFile: (s) => (s.output === 'json' ? true : undefined), fallback: 'text' },
];

const OVERRIDABLE = new Set([undefined, 'default', 'implied']);

/** An environment value meets the option's choices as a flag would; a wrong one is a usage error naming the variable. */
function checkedChoice(command: Command, setting: Setting, value: string): string {
  const choices = command.options.find((option) => option.attributeName() === setting.option)?.argChoices;
  if (choices !== undefined && !choices.includes(value)) {
    throw new UsageError(`${setting.env}=${value.slice(0, 40)}: expected one of ${choices.join(', ')}`, { hint: `fix or unset ${setting.env}` });
  }
  return value;
}

function hasOption(command: Command, name: string): boolean {
  return command.options.some((option) => option.attributeName() === name);
}

/** Fills the root's and the acting command's options from the environment (PAYOPS_DB) and the file. */
export function applyConfig(root: Command, action: Command, config: LoadedConfig, env: NodeJS.ProcessEnv = process.env): void {
  for (const setting of SETTINGS) {
    const command = setting.on === 'root' ? root : action;
    if (!hasOption(command, setting.option) || !OVERRIDABLE.has(command.getOptionValueSource(setting.option))) continue;
    // Filled here rather than by Option.env, because an empty variable is unset (as PAYOPS_DB always was).
    const fromEnv = setting.env === undefined ? undefined : env[setting.env];
    if (fromEnv !== undefined && fromEnv !== '') {
      command.setOptionValueWithSource(setting.option, checkedChoice(command, setting, fromEnv), 'env');
      continue;
    }
    const value = setting.fromFile(config.settings);
    if (value === undefined) continue;
    if (setting.key === 'output' && hasOption(action, 'csv') && action.getOptionValueSource('csv') === 'cli') continue;
    command.setOptionValueWithSource(setting.option, value, 'config');
  }
}

export interface EffectiveSetting {
  key: keyof PayopsConfig;
  value: string;
  /** `flag`, `environment`, `file`, `default`. */
  source: 'flag' | 'environment' | 'file' | 'default';
  /** The flag, variable or file it came from. */
  from: string | null;
}

/** Each setting's value for this command and where it came from (after applyConfig). */
export function effectiveSettings(root: Command, action: Command, config: LoadedConfig): EffectiveSetting[] {
  return SETTINGS.map((setting) => {
    const command = setting.on === 'root' ? root : action;
    const source = hasOption(command, setting.option) ? command.getOptionValueSource(setting.option) : undefined;
    const raw = hasOption(command, setting.option) ? command.getOptionValue(setting.option) : undefined;
    const value = setting.key === 'output' ? (raw === true ? 'json' : 'text') : raw === undefined ? setting.fallback : String(raw);
    if (source === 'cli') return { key: setting.key, value, source: 'flag', from: `--${flagName(setting.option)}` };
    if (source === 'env') return { key: setting.key, value, source: 'environment', from: setting.env ?? null };
    if (source === 'config') return { key: setting.key, value, source: 'file', from: config.file ?? null };
    return { key: setting.key, value, source: 'default', from: null };
  });
}

function flagName(attribute: string): string {
  return attribute === 'json' ? 'json' : attribute.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
