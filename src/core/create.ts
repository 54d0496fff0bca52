import { DefaultVoiceClient, type VoiceClient } from './client.js';
import { MAX_TIMEOUT_MS, configInvalid, parseConfig, type ParsedConfig, type VoiceClientConfig } from './config.js';
import type { ProviderDefinitionV1 } from './contract.js';
import { VoiceError, describeCause, isVoiceError } from './errors.js';
import { loadProvider } from './registry.js';
import { parseFailoverOptions, type FailoverOptions } from './failover-failback.js';

export type VoiceConfig = string | VoiceClientConfig;

async function definitionFor(parsed: ParsedConfig): Promise<ProviderDefinitionV1<any>> {
  return typeof parsed.provider === 'string' ? loadProvider(parsed.provider) : parsed.provider;
}

/**
 * Creates a client for one vendor, chosen by a config string
 * (`sipjs:wss://pbx.example.com/ws?uri=sip:alice@example.com`) or an object. Loads only the
 * chosen provider's glue; its vendor SDK is loaded by `init()`. Makes no network request.
 *
 * A list of configs gives failover: the first is used while it can connect; when it is
 * unreachable or times out, the next takes over (`providerChanged`). Only the providers actually
 * tried load their vendor SDK. The same holds when the provider in use is lost while connected;
 * `options.failback` brings the client back to the first one when it is healthy again (README).
 */
export async function createVoiceClient(config: VoiceConfig | VoiceConfig[], options?: FailoverOptions): Promise<VoiceClient> {
  const list = Array.isArray(config);
  if (list && config.length === 0) throw configInvalid('config', 'The list of configs is empty.');
  const failback = parseFailoverOptions(options);
  if (failback && !list) throw configInvalid('failback', 'failback needs a list of configs.');
  const parsed = (list ? config : [config]).map(parseConfig);
  const definitions = await Promise.all(parsed.map(definitionFor));
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
    };
    return new DefaultVoiceClient(combined.provider as ProviderDefinitionV1<any>, combined);
  } catch (error) {
    if (isVoiceError(error)) throw error;
    throw new VoiceError('CONFIG_INVALID', 'The provider could not be set up from this config.', { cause: describeCause(error) });
  }
}
