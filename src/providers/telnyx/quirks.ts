/**
 * Every reach of the telnyx provider into @telnyx/webrtc beyond its documented API, each with the
 * reason it is needed. Checked against SDK_VERSION; test/providers/telnyx/quirks.test.ts fails when
 * the installed SDK differs and checks each internal below still exists on a real SDK object.
 */
import type { TelnyxRTC } from '@telnyx/webrtc';

/** The @telnyx/webrtc version every quirk below was read from (its bundle and .d.ts). */
export const SDK_VERSION = '2.27.10';

export type QuirkyClient = TelnyxRTC;

/** The SDK's sessionStorage key for the id it sends as `voice_sdk_id` (read by its own ping). */
const VOICE_SDK_ID_KEY = 'telnyx-voice-sdk-id';

export interface SocketView {
  open: boolean;
  opening: boolean;
  /** Counts the sockets the SDK has opened; a new one means a new attempt. */
  generation: number;
}

/**
 * The SDK's WebSocket as `client.connection` (typed in its .d.ts, documented nowhere): whether it
 * is open or still opening, and which attempt it is. The SDK emits nothing when it starts a
 * reconnection attempt, and never times one out.
 */
export function socketOf(client: QuirkyClient): SocketView | undefined {
  const connection = (client as { connection?: TelnyxRTC['connection'] | null }).connection;
  if (!connection) return undefined;
  return { open: connection.connected, opening: connection.connecting, generation: connection.socketGeneration };
}

/**
 * A `telnyx_rtc.ping` request shaped as the SDK's own (its class for it is not exported), sent
 * through `client.execute`, the SDK's request path: it matches the reply by id and applies its
 * own 10 s timeout for a ping. Resolves on a result, rejects with the server's error or a timeout.
 */
export function sendPing(client: QuirkyClient): Promise<unknown> {
  const request = { jsonrpc: '2.0', id: crypto.randomUUID(), method: 'telnyx_rtc.ping', voice_sdk_id: voiceSdkId(), params: {} };
  try {
    return Promise.resolve(client.execute({ request } as unknown as Parameters<TelnyxRTC['execute']>[0]));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** A JSON-RPC error member from the server (an answer), not the SDK's timeout or stale-request Error. */
export function isServerAnswer(error: unknown): boolean {
  return typeof error === 'object' && error !== null && !(error instanceof Error) && 'code' in error;
}

/**
 * `client.socketDisconnect()` (typed, undocumented): closes the socket and lets the SDK's own
 * reconnection run, exactly as its signalling-health recovery does. `disconnect()` would stop
 * reconnection for good.
 */
export function dropSocket(client: QuirkyClient): void {
  try {
    client.socketDisconnect();
  } catch {
    // Nothing to close: the SDK reports the socket's state itself.
  }
}

function voiceSdkId(): string | null {
  try {
    return globalThis.sessionStorage?.getItem(VOICE_SDK_ID_KEY) ?? null;
  } catch {
    return null;
  }
}
