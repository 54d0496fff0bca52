import type { ProviderDefinitionV1 } from './contract.js';
import { VoiceError } from './errors.js';

type ProviderModule = { provider: ProviderDefinitionV1<any> };

// Each entry is a separate chunk: choosing one provider loads only its glue, and the glue loads
// its vendor SDK only in `init`.
const builtInProviders: Record<string, () => Promise<ProviderModule>> = {
  sipjs: () => import('../providers/sipjs/index.js'),
  cognigy: () => import('../providers/cognigy/index.js'),
  telnyx: () => import('../providers/telnyx/index.js'),
  sendbird: () => import('../providers/sendbird/index.js'),
};

export const BUILT_IN_PROVIDERS = Object.keys(builtInProviders);

export async function loadProvider(name: string): Promise<ProviderDefinitionV1<any>> {
  // Own keys only: "constructor" or "__proto__" must not find Object.prototype's members.
  const load = Object.hasOwn(builtInProviders, name) ? builtInProviders[name] : undefined;
  if (!load) {
    throw new VoiceError('PROVIDER_UNKNOWN', `Unknown provider "${name.slice(0, 40)}"; built in: ${BUILT_IN_PROVIDERS.join(', ')}.`, {
      details: { provider: name.slice(0, 40) },
    });
  }
  return (await load()).provider;
}
