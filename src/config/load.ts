import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { type PayopsConfig, configProblem, configSchema } from './schema.js';

const CONFIG_FILE_NAME = 'payops.json';
const CONFIG_ENV = 'PAYOPS_CONFIG';
const MAX_CONFIG_BYTES = 64 * 1024;

export interface LoadedConfig {
  /** The file the settings came from (absolute), or undefined when there is none. */
  file: string | undefined;
  settings: PayopsConfig;
}

/**
 * `$PAYOPS_CONFIG` (a path; it must exist), else `payops.json` in the working folder, else none.
 * The file can point payops at another book or send PSP requests to another URL, so it is taken
 * only from someone the user trusts: a regular file owned by the user (or root), writable by no one
 * else; the one found in the working folder must not be a symlink (a shared folder such as /tmp
 * could otherwise plant one). Relative `db` and `rules` paths are relative to the file's folder.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): LoadedConfig {
  const named = env[CONFIG_ENV];
  const explicit = named !== undefined && named !== '';
  const file = path.resolve(cwd, explicit ? named : CONFIG_FILE_NAME);
  const link = fs.lstatSync(file, { throwIfNoEntry: false });
  if (link === undefined) {
    if (explicit)
      throw new UsageError(`${CONFIG_ENV}=${named}: no such file`, {
        hint: `create it, or unset ${CONFIG_ENV}`,
      });
    return { file: undefined, settings: {} };
  }
  if (!explicit && link.isSymbolicLink()) {
    throw new UsageError(
      `config ${file} is a symlink; payops does not follow a config file it merely finds in the working folder`,
      { hint: `set ${CONFIG_ENV} to the file you mean` },
    );
  }
  assertTrusted(file);
  return { file, settings: resolvePaths(parse(file), path.dirname(file)) };
}

function assertTrusted(file: string): void {
  const stat = fs.statSync(file);
  if (!stat.isFile()) throw new UsageError(`config ${file} is not a regular file`);
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid && stat.uid !== 0) {
    throw new UsageError(
      `config ${file} belongs to uid ${stat.uid}, not to you; payops does not take settings from another user's file`,
      { hint: 'use a config file of your own' },
    );
  }
  if ((stat.mode & 0o022) !== 0) {
    throw new UsageError(
      `config ${file} can be written by others (mode ${(stat.mode & 0o777).toString(8)})`,
      { hint: `chmod go-w ${file}` },
    );
  }
  if (stat.size > MAX_CONFIG_BYTES)
    throw new UsageError(
      `config ${file} is ${stat.size} bytes; a config file is at most ${MAX_CONFIG_BYTES}`,
    );
}

function parse(file: string): PayopsConfig {
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(
      `config ${file}: not valid JSON (${(error as Error).message.split('\n')[0]})`,
    );
  }
  const problem = configProblem(value);
  if (problem !== undefined) throw new UsageError(`config ${file}: ${problem}`);
  return configSchema.parse(value);
}

function resolvePaths(settings: PayopsConfig, folder: string): PayopsConfig {
  return {
    ...settings,
    ...(settings.db === undefined ? {} : { db: path.resolve(folder, settings.db) }),
    ...(settings.rules === undefined ? {} : { rules: path.resolve(folder, settings.rules) }),
  };
}
