export type { QualityMonitor, QualityHost } from './monitor.js';
export { parseQualityOptions, DEFAULT_QUALITY_OPTIONS, type QualityOptions, type ResolvedQualityOptions } from './options.js';
export type { QualitySample } from './sample.js';
export { DEFAULT_THRESHOLDS, type QualityThresholds } from './thresholds.js';
export type { QualityWarning, QualityWarningName } from './warnings.js';
export { estimateMos } from './mos.js';
