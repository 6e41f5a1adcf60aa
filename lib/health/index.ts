export { ExportHealthIndicator } from './export-health.indicator';
export type { ExportHealthResult } from './export-health.indicator';
