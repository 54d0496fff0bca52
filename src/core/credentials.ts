import type { Credentials } from './contract.js';
import { VoiceError } from './errors.js';

/**
 * Refuses credentials of a type the provider does not take (its definition's `credentialTypes`),
 * before anything reaches the network. A definition that declares none checks for itself.
 */
export function refuseForeignCredentials(credentials: Credentials, accepted: readonly Credentials['type'][] | undefined, provider: string): void {
  if (!accepted || accepted.includes(credentials.type)) return;
  const quoted = accepted.map((type) => `"${type}"`);
  const takes = quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}` : (quoted[0] ?? 'no');
  throw new VoiceError('UNSUPPORTED', `The ${provider} provider takes ${takes} credentials, not "${String(credentials.type).slice(0, 20)}".`, {
    provider,
    details: { field: 'credentials' },
  });
}
