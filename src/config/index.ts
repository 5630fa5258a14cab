export { type EffectiveSetting, SETTINGS, applyConfig, effectiveSettings } from './apply.js';
export { CONFIG_ENV, CONFIG_FILE_NAME, type LoadedConfig, loadConfig } from './load.js';
export { CONFIG_KEYS, type PayopsConfig, configProblem, configSchema } from './schema.js';
