export { effectiveSettings } from './apply.js';
export { loadConfig } from './load.js';
export { configProblem } from './schema.js';
