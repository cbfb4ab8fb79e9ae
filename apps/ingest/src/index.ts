export { createIngestApp, type IngestAppOptions } from './app.js';
export { loadIngestConfig, type IngestConfig } from './config.js';
