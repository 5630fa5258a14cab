export { loadAssets } from './assets.js';
export { escapeHtml, jsonForScript } from './escape.js';
export { buildHtmlReport } from './model.js';
export { renderPage } from './page.js';
