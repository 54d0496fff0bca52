export { provider } from './provider.js';
export type { CognigyOptions, DtmfTransport } from './options.js';
export type { CognigySipConfig } from './config-schema.js';
