import type { VoiceClient } from './api.js';
import { DefaultVoiceClient } from './client.js';
import { MAX_TIMEOUT_MS, configInvalid, parseConfig, type ParsedConfig } from './config.js';
import type { ProviderDefinitionV1 } from './contract.js';
import { VoiceError, describeCause, isVoiceError } from './errors.js';
import { checkProviders, providerNamed } from './registry.js';
import type { AnyProviderDefinition, VendorOfProviders, VoiceConfig } from './typed-config.js';
import type { FailoverOptions } from './failover-failback.js';

export interface CreateVoiceClientOptions<P extends readonly AnyProviderDefinition[]> extends FailoverOptions {
  /**
   * The providers a config may choose, each imported from its own entry
   * (`import { sipjs } from 'polyphone/sipjs'`). Only these end up in the app's bundle; each loads
   * its vendor SDK when it connects.
   */
  providers?: P;
}

function definitionFor(parsed: ParsedConfig, providers: readonly AnyProviderDefinition[]): ProviderDefinitionV1<any> {
  return typeof parsed.provider === 'string' ? providerNamed(parsed.provider, providers) : parsed.provider;
}

/**
 * Creates a client for one vendor, chosen among the handed-over `providers` by a config string
 * (`sipjs:wss://pbx.example.com/ws?uri=sip:alice@example.com`) or an object. The chosen
 * provider's vendor SDK is loaded by `init()`. Makes no network request.
 *
 * ```ts
 * import { createVoiceClient } from 'polyphone';
 * import { sipjs } from 'polyphone/sipjs';
 * const client = await createVoiceClient('sipjs:wss://pbx.example.com/ws', { providers: [sipjs] });
 * ```
 *
 * A list of configs gives failover: the first is used while it can connect; when it is
 * unreachable or times out, the next takes over (`providerChanged`). Only the providers actually
 * tried load their vendor SDK. The same holds when the provider in use is lost while connected;
 * `options.failback` brings the client back to the first one when it is healthy again (README).
 */
export async function createVoiceClient<const P extends readonly AnyProviderDefinition[] = readonly []>(
  config: VoiceConfig<P> | readonly VoiceConfig<P>[],
  options?: CreateVoiceClientOptions<P>,
): Promise<VoiceClient<VendorOfProviders<P>>> {
  const list = Array.isArray(config);
  const configs: readonly unknown[] = list ? config : [config];
  if (configs.length === 0) throw configInvalid('config', 'The list of configs is empty.');
  const { providers: handedOver, ...failoverOptions } = options ?? {};
  const providers = checkProviders(handedOver);
  // The failover options' parser loads only when there are some: most apps hand over providers alone.
  const failback = Object.keys(failoverOptions).length > 0 ? (await import('./failover-failback.js')).parseFailoverOptions(failoverOptions) : undefined;
  if (failback && !list) throw configInvalid('failback', 'failback needs a list of configs.');
  const parsed = configs.map(parseConfig);
  const definitions = parsed.map((p) => definitionFor(p, providers));
  try {
    if (!list) return new DefaultVoiceClient(definitions[0]!, parsed[0]!);
    // Failover is loaded only by apps that use it.
    const { failoverDefinition } = await import('./failover.js');
    const members = parsed.map((p, i) => ({ definition: definitions[i]!, config: p }));
    const primary = parsed[0]!;
    // Each member's attempt has its own bound; the whole connect may use all of them.
    const connectMs = Math.min(MAX_TIMEOUT_MS, parsed.reduce((sum, p) => sum + p.timeouts.connectMs, 0));
    const combined: ParsedConfig = {
      ...primary,
      provider: failoverDefinition(members, failback),
      input: { locator: undefined, params: {}, fromString: false, credentials: undefined },
      timeouts: { ...primary.timeouts, connectMs },
      // Each member reconnects under its own policy (failover-member.ts); the switch is the failover's.
      reconnect: undefined,
      warnings: parsed.flatMap((p) => p.warnings),
    };
    return new DefaultVoiceClient(combined.provider as ProviderDefinitionV1<any>, combined);
  } catch (error) {
    if (isVoiceError(error)) throw error;
    throw new VoiceError('CONFIG_INVALID', 'The provider could not be set up from this config.', { cause: describeCause(error) });
  }
}
