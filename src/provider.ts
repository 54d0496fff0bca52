/**
 * `polyphone/provider`: for a provider published as its own package. The contract it implements
 * (`VoiceProviderV1`, `ProviderDefinitionV1`, the sinks) and the kit the built-in providers are
 * made with (VoiceError, option parsing, bounded waits, loading a vendor SDK, the microphone).
 *
 * ```ts
 * import { defineProvider, type VoiceProviderV1 } from 'polyphone/provider';
 * export const acme = defineProvider<{ server: string; region?: string }>()({
 *   specificationVersion: 'v1', name: 'acme', parseOptions: (input) => …, create: (options, context) => …,
 * });
 * ```
 */
import type { ProviderDefinitionV1 } from './core/contract.js';

export * from './core/provider-kit.js';
export type { AnyProviderDefinition, CommonConfig, ConfigOfProvider, VoiceConfig } from './core/typed-config.js';

/**
 * Gives a definition its name as a literal type and the type of its object config, so that apps
 * handing it over get a typed `{ provider: 'acme', … }` config. Returns the definition unchanged.
 */
export function defineProvider<Config extends object = Record<string, unknown>>() {
  return <Options, const Name extends string>(definition: ProviderDefinitionV1<Options, Name>): ProviderDefinitionV1<Options, Name, Config> =>
    definition as unknown as ProviderDefinitionV1<Options, Name, Config>;
}
