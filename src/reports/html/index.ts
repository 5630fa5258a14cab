export { loadAssets } from './assets.js';
export { escapeHtml, jsonForScript } from './escape.js';
export { type HtmlReportModel, type HtmlReportOptions, buildHtmlReport } from './model.js';
export { renderPage } from './page.js';
