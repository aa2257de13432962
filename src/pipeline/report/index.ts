export { type BrowserCheck, checkReportInBrowser, DEFAULT_CHROMIUM } from './browser-check.ts';
export { type ChartPoint, renderSvg } from './charts.ts';
export { collectReportData, type GalleryItem, type ReportData } from './collect.ts';
export { renderReport, writeReport } from './html.ts';
