export { redactArgv } from './commands.js';
export {
  findRun,
  listRuns,
  runJson,
} from './report.js';
export { DATE_BASIS, renderRun, renderRunList, runsCsv } from './render.js';
