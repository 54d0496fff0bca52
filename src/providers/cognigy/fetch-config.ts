import { VoiceError, abortError } from '../../core/provider-kit.js';
import { parseCognigyConfig, type CognigyEndpointConfig } from './config-schema.js';

/**
 * A real reply is about 1–2 KB. The cap holds on the wire (Content-Length, so a gzip bomb is
 * refused before a byte is inflated) and after decoding (counted while reading, so a reply with
 * no length or a lying one stops at the cap, never in memory whole).
 */
export const MAX_CONFIG_BYTES = 256 * 1024;
/** Any text from outside (an exception's message) copied into an error is cut to this. */
export const MAX_COPIED_CHARS = 200;

export function capText(text: string, max = MAX_COPIED_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}…(${text.length - max} more)`;
}

const JSON_TYPE = /^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i;

/**
 * Step 1 of Cognigy's connect, as the SDK makes it: a plain `GET endpointUrl`, no query string,
 * no custom header (a "simple" CORS request), bounded by `timeoutMs`, body included. The userId
 * never travels. Each failure gets its table code.
 */
export async function fetchCognigyConfig(endpointUrl: string, timeoutMs: number, signal: AbortSignal, provider: string): Promise<CognigyEndpointConfig> {
  if (signal.aborted) throw abortError(signal, provider);
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
    // Only the exception's name: fetch's messages may quote the URL.
    return new VoiceError('NETWORK_UNREACHABLE', 'The Cognigy endpoint could not be reached.', { provider, cause: { name: capText(String((error as Error)?.name ?? 'Error'), 60) } });
  };
  try {
    let response: Response;
    try {
      response = await fetch(endpointUrl, { method: 'GET', signal: controller.signal, credentials: 'omit', redirect: 'follow' });
    } catch (error) {
      throw stopped(error);
    }
    try {
      checkResponse(response, endpointUrl, provider);
    } catch (error) {
      void response.body?.cancel().catch(() => {});
      throw error;
    }
    let text: string;
    try {
      text = await readCapped(response, provider);
    } catch (error) {
      throw error instanceof VoiceError ? error : stopped(error);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      // V8's JSON messages quote the body, which may hold the password: say nothing of it.
      throw new VoiceError('PROTOCOL_ERROR', 'The Cognigy endpoint returned a body that is not JSON.', { provider, cause: { name: 'SyntaxError' } });
    }
    return parseCognigyConfig(body, provider);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

/** Status, origin, content type and declared size: everything decided before reading the body. */
function checkResponse(response: Response, endpointUrl: string, provider: string): void {
  const status = response.status;
  // A redirect to another origin would hand the session to a host the app never named.
  if (response.redirected && new URL(response.url).origin !== new URL(endpointUrl).origin) {
    throw new VoiceError('PROTOCOL_ERROR', 'The Cognigy endpoint redirected to another origin; polyphone does not follow it.', {
      provider,
      cause: { name: 'CrossOriginRedirect' },
      details: { redirected: true },
    });
  }
  if (status === 401 || status === 403) {
    throw new VoiceError('AUTH_REJECTED', `The Cognigy endpoint refused the request (${status}).`, { provider, cause: { name: 'HTTPStatus', code: status }, details: { status } });
  }
  if (!response.ok) {
    throw new VoiceError('NETWORK_UNREACHABLE', `The Cognigy endpoint answered ${status}.`, { provider, cause: { name: 'HTTPStatus', code: status }, details: { status } });
  }
  const type = response.headers.get('content-type') ?? '';
  if (!JSON_TYPE.test(type)) {
    throw new VoiceError('PROTOCOL_ERROR', 'The Cognigy endpoint did not answer with JSON (wrong content type).', {
      provider,
      cause: { name: 'ContentType' },
      details: { contentType: capText(type.replace(/[^\x20-\x7e]/g, '?'), 80) },
    });
  }
  const declared = Number(response.headers.get('content-length') ?? 'NaN');
  if (Number.isFinite(declared) && declared > MAX_CONFIG_BYTES) throw tooLarge(provider);
}

async function readCapped(response: Response, provider: string): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_CONFIG_BYTES) {
      await reader.cancel().catch(() => {});
      throw tooLarge(provider);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

function tooLarge(provider: string): VoiceError {
  return new VoiceError('PROTOCOL_ERROR', `The Cognigy endpoint's reply is larger than ${MAX_CONFIG_BYTES} bytes; a real one is a few KB.`, {
    provider,
    cause: { name: 'ReplyTooLarge' },
    details: { maxBytes: MAX_CONFIG_BYTES },
  });
}
