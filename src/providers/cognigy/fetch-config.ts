import { VoiceError, abortError, describeCause } from '../../core/provider-kit.js';
import { parseCognigyConfig, type CognigySipConfig } from './config-schema.js';

/**
 * Step 1 of Cognigy's connect: GET the endpoint for the SIP parameters, bounded by `timeoutMs`
 * (body included). `userId` travels as a query parameter. Each failure gets its table code.
 */
export async function fetchCognigyConfig(
  endpointUrl: string,
  userId: string | undefined,
  timeoutMs: number,
  signal: AbortSignal,
  provider: string,
): Promise<CognigySipConfig> {
  if (signal.aborted) throw abortError(signal, provider);
  const url = new URL(endpointUrl);
  if (userId !== undefined) url.searchParams.set('userId', userId);
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = () => controller.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  const stopped = (error: unknown): VoiceError => {
    if (signal.aborted) return abortError(signal, provider);
    if (timedOut) {
      return new VoiceError('TIMEOUT', `The Cognigy endpoint did not answer within ${timeoutMs} ms.`, { provider, details: { timeoutMs } });
    }
    return new VoiceError('NETWORK_UNREACHABLE', 'The Cognigy endpoint could not be reached.', { provider, cause: describeCause(error) });
  };
  try {
    let response: Response;
    try {
      response = await fetch(url, { method: 'GET', headers: { accept: 'application/json' }, signal: controller.signal, credentials: 'omit' });
    } catch (error) {
      throw stopped(error);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw stopped(error);
    }
    if (response.status === 401 || response.status === 403) {
      throw new VoiceError('AUTH_REJECTED', `The Cognigy endpoint refused the request (${response.status}).`, {
        provider,
        cause: { name: 'HTTPStatus', code: response.status },
        details: { status: response.status },
      });
    }
    if (!response.ok) {
      throw new VoiceError('NETWORK_UNREACHABLE', `The Cognigy endpoint answered ${response.status}.`, {
        provider,
        cause: { name: 'HTTPStatus', code: response.status },
        details: { status: response.status },
      });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      // V8's JSON messages quote the body, which may hold the password: keep the name only.
      throw new VoiceError('PROTOCOL_ERROR', 'The Cognigy endpoint returned a body that is not JSON.', {
        provider,
        cause: { name: (error as Error).name ?? 'SyntaxError' },
      });
    }
    return parseCognigyConfig(body, provider);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}
