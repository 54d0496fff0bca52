import type { AnyProviderDefinition } from './typed-config.js';
import { VoiceError } from './errors.js';

/**
 * Checks what the app handed over as `providers`. The core names no provider: the app imports
 * the ones it uses (`import { sipjs } from 'polyphone/sipjs'`), so a bundle holds those alone.
 */
export function checkProviders(providers: unknown): readonly AnyProviderDefinition[] {
  if (providers === undefined) return [];
  if (!Array.isArray(providers)) {
    throw new VoiceError('CONFIG_INVALID', 'providers must be an array of provider definitions, e.g. [sipjs] from "polyphone/sipjs".', {
      details: { field: 'providers' },
    });
  }
  providers.forEach((definition: unknown, i) => {
    const d = definition as { specificationVersion?: unknown; name?: unknown } | null;
    if (typeof d !== 'object' || d === null || d.specificationVersion !== 'v1' || typeof d.name !== 'string') {
      throw new VoiceError('CONFIG_INVALID', `providers[${i}] is not a provider definition (specificationVersion "v1").`, {
        details: { field: `providers[${i}]` },
      });
    }
  });
  return providers as readonly AnyProviderDefinition[];
}

/** The handed-over provider a config string or `provider:` name chooses; the first one wins. */
export function providerNamed(name: string, providers: readonly AnyProviderDefinition[]): AnyProviderDefinition {
  const found = providers.find((definition) => definition.name === name);
  if (found) return found;
  const shown = name.slice(0, 40);
  const handed = providers.length === 0 ? 'none' : providers.map((d) => d.name).join(', ');
  throw new VoiceError(
    'PROVIDER_UNKNOWN',
    `The provider "${shown}" was not handed over (handed over: ${handed}). Import it and pass it: ` +
      `import { ${/^[a-z][a-z0-9]*$/.test(shown) ? shown : 'provider'} } from 'polyphone/${shown}'; ` +
      `createVoiceClient(config, { providers: [...] }) — or import createVoiceClient from 'polyphone/all' to have every built-in provider.`,
    { details: { provider: shown, handedOver: handed } },
  );
}
