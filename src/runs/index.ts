export { RUN_COMMANDS, redactArgv } from './commands.js';
export { type RunView, findRun, listRuns, runJson } from './report.js';
export { DATE_BASIS, renderRun, renderRunList, runsCsv } from './render.js';
export { type RunState, runState } from './status.js';
export { type InputDigest, type MovedLine, RunStore, type RunRow } from './store.js';
