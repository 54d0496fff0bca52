export { provider } from './provider.js';
export type { SipjsOptions, DtmfTransport } from './options.js';
