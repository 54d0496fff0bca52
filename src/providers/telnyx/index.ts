export { provider } from './provider.js';
export type { TelnyxOptions } from './options.js';
