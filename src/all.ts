/**
 * `polyphone/all`: for apps that install every vendor SDK. Its `createVoiceClient` knows the four
 * built-in providers without a `providers` option (more may still be handed over). An app that
 * uses fewer vendors imports `polyphone` and the providers it uses instead, so that its bundle
 * holds only those.
 */
import { createVoiceClient as createWith, type CreateVoiceClientOptions } from './core/create.js';
import type { VoiceClient } from './core/api.js';
import { preflight as preflightWith, type PreflightOptions, type PreflightReport } from './core/preflight/preflight.js';
import type { AnyProviderDefinition, VendorOfProviders, VoiceConfig } from './core/typed-config.js';
import { cognigy } from './providers/cognigy/index.js';
import { sendbird } from './providers/sendbird/index.js';
import { sipjs } from './providers/sipjs/index.js';
import { telnyx } from './providers/telnyx/index.js';

export * from './index.js';
export { sipjs, cognigy, telnyx, sendbird };
export type { SipjsConfig, SipjsDefinition, SipjsVendor } from './providers/sipjs/index.js';
export type { CognigyConfig, CognigyDefinition, CognigyVendor } from './providers/cognigy/index.js';
export type { TelnyxConfig, TelnyxDefinition, TelnyxVendor } from './providers/telnyx/index.js';
export type { SendbirdConfig, SendbirdDefinition, SendbirdVendor } from './providers/sendbird/index.js';

/** The four built-in providers. */
export const ALL_PROVIDERS = [sipjs, cognigy, telnyx, sendbird] as const;
export type AllProviders = typeof ALL_PROVIDERS;

/** `createVoiceClient` with the four built-in providers handed over, and any given in `options`. */
export function createVoiceClient<const P extends readonly AnyProviderDefinition[] = readonly []>(
  config: VoiceConfig<[...AllProviders, ...P]> | readonly VoiceConfig<[...AllProviders, ...P]>[],
  options?: CreateVoiceClientOptions<P>,
): Promise<VoiceClient<VendorOfProviders<[...AllProviders, ...P]>>> {
  const providers: readonly AnyProviderDefinition[] = [...(options?.providers ?? []), ...ALL_PROVIDERS];
  return createWith(config as VoiceConfig<readonly AnyProviderDefinition[]>, { ...options, providers }) as Promise<VoiceClient<any>>;
}

/** `preflight` with the four built-in providers handed over, and any given in `options`. */
export function preflight(config: VoiceConfig<AllProviders>, options: PreflightOptions = {}): Promise<PreflightReport> {
  return preflightWith(config as VoiceConfig<readonly AnyProviderDefinition[]>, { ...options, providers: [...(options.providers ?? []), ...ALL_PROVIDERS] });
}
