export { provider } from './provider.js';
export type { CognigyOptions, DtmfTransport } from './options.js';
export type { CognigyEndpointConfig, LegacyEndpointConfig, RuntimeEndpointConfig } from './config-schema.js';
