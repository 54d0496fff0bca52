/**
 * A token refresh on the open socket: the SDK's own updateToken where it has one, else a new
 * `login` (2.27.x has no such method; quirks.ts reaches its login). Resolves when Telnyx accepted
 * the token; AUTH_REJECTED when it refused it.
 */
import { VoiceError, bounded, describeCause } from '../../core/provider-kit.js';
import { loginAgain, type QuirkyClient } from './quirks.js';

const NAME = 'telnyx';

export function loginOnOpenSocket(client: QuirkyClient, token: string, signal: AbortSignal): Promise<void> {
  const done = new Promise<void>((resolve, reject) => {
    const accepted = () => resolve();
    const refused = (error: unknown) => reject(new VoiceError('AUTH_REJECTED', 'Telnyx refused the new token.', { provider: NAME, cause: describeCause(error) }));
    if (typeof client.updateToken === 'function') {
      // Newer SDKs name this; 2.27.x has no such method.
      Promise.resolve(client.updateToken(token)).then(accepted, refused);
    } else {
      loginAgain(client, { creds: { login_token: token }, onSuccess: accepted, onError: refused });
    }
  });
  return bounded(done, { signal, what: 'Telnyx token refresh', provider: NAME });
}
