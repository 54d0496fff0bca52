export { provider } from './provider.js';
export type { SendbirdOptions } from './options.js';
