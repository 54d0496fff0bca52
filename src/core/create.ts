import { DefaultVoiceClient, type VoiceClient } from './client.js';
import { parseConfig, type VoiceClientConfig } from './config.js';
import { VoiceError, describeCause, isVoiceError } from './errors.js';
import { loadProvider } from './registry.js';

/**
 * Creates a client for one vendor, chosen by a config string
 * (`sipjs:wss://pbx.example.com/ws?uri=sip:alice@example.com`) or an object. Loads only the
 * chosen provider's glue; its vendor SDK is loaded by `init()`. Makes no network request.
 */
export async function createVoiceClient(config: string | VoiceClientConfig): Promise<VoiceClient> {
  const parsed = parseConfig(config);
  const definition = typeof parsed.provider === 'string' ? await loadProvider(parsed.provider) : parsed.provider;
  try {
    return new DefaultVoiceClient(definition, parsed);
  } catch (error) {
    if (isVoiceError(error)) throw error;
    throw new VoiceError('CONFIG_INVALID', `The ${definition.name} provider could not be set up from this config.`, {
      provider: definition.name,
      cause: describeCause(error),
    });
  }
}
