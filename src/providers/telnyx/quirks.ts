/**
 * Every reach of the telnyx provider into @telnyx/webrtc beyond its documented API, each with the
 * reason it is needed. Checked against SDK_VERSION; test/providers/telnyx/quirks.test.ts fails when
 * the installed SDK differs and checks each internal below still exists on a real SDK object.
 */
import type { TelnyxRTC } from '@telnyx/webrtc';
import type { SdkLogger } from './logs.js';

/** The @telnyx/webrtc version every quirk below was read from (its bundle and .d.ts). */
export const SDK_VERSION = '2.27.10';

type TelnyxModule = typeof import('@telnyx/webrtc');

/** The client with the members polyphone reads beyond the documented API. */
export type QuirkyClient = TelnyxRTC & {
  sessionid?: string;
  connected?: boolean;
  /** Named by Telnyx's docs; 2.27.x has no such method (a refresh there is a new `login`). */
  updateToken?: (token: string) => Promise<unknown> | unknown;
};

export type LoginArgs = { creds?: Record<string, unknown>; onSuccess?: () => void; onError?: (error: unknown) => void };

/**
 * An undocumented event the SDK emits on every frame its socket receives, before handling it. The
 * SDK reports a frame that is not JSON only through its module-wide logger, shared by every
 * client; this event, emitted on the receiving client in the same synchronous turn, names it.
 */
export const SOCKET_ACTIVITY_EVENT = 'telnyx.internal.socketActivity';

/**
 * The SDK's module-wide loglevel logger, as `TelnyxRTC.prototype.__logger` (a getter). It logs
 * from the constructor on, with SEND/RECV frames that hold the password or JWT, so it is reached
 * before any client exists. logs.ts replaces its `methodFactory`.
 */
export function sdkLoggerOf(sdk: TelnyxModule): SdkLogger {
  return (sdk.TelnyxRTC.prototype as unknown as { __logger: SdkLogger }).__logger;
}

/**
 * Replaces the logger's loglevel `methodFactory`, so the SDK's lines (raw frames with secrets among
 * them) reach the clients' sinks and not the console. loglevel builds its methods when the level is
 * set; setting it again applies the new factory.
 */
export function replaceLogMethods(logger: SdkLogger, factory: (methodName: string) => (...args: unknown[]) => void): void {
  logger.methodFactory = (methodName) => factory(methodName);
  logger.setLevel(logger.getLevel(), false);
}

/**
 * Wraps this instance's public `login`: the SDK logs in by itself when the socket opens and keeps
 * the reply to itself (a refused login becomes a bare 46001 whose cause reads "[object Object]").
 * Through the wrapper the provider sees the server's own reason (an expired token) and a reply
 * that carries no session. The SDK calls `this.login()`, so the instance property is what it uses.
 */
export function observeLogins(client: QuirkyClient, observer: { accepted(): void; refused(error: unknown): void }): void {
  const original = client.login.bind(client) as (args?: LoginArgs) => Promise<void>;
  (client as unknown as { login: (args?: LoginArgs) => Promise<void> }).login = (args: LoginArgs = {}) =>
    original({
      ...args,
      onSuccess: () => {
        observer.accepted();
        args.onSuccess?.();
      },
      onError: (error: unknown) => {
        observer.refused(error);
        args.onError?.(error);
      },
    });
}

/** A new `login` on the open socket (2.27.x's only way to hand the SDK a new JWT). */
export function loginAgain(client: QuirkyClient, args: LoginArgs): void {
  void (client.login as (args: LoginArgs) => Promise<void>)(args);
}

/**
 * A forgotten client must never open a socket again: the SDK's gateway-failure retry calls
 * `connect()` from a timer that `disconnect()` does not clear, so the instance's `connect` is
 * replaced by a no-op.
 */
export function neverConnectAgain(client: QuirkyClient): void {
  (client as unknown as { connect: () => Promise<void> }).connect = async () => {};
}

/**
 * Empties the SDK's own call table (`client.calls`). Calls the SDK took from a server that never
 * completed the login (an invite pushed in place of the login reply) exist nowhere else: the BYE
 * `disconnect()` would send for each waits seconds for a reply that will not come.
 */
export function forgetSdkCalls(client: QuirkyClient): void {
  (client as unknown as { calls: Record<string, unknown> }).calls = {};
}

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

/** The part of an SDK Call the quirks below touch. */
export interface QuirkyCall {
  options: { iceServers?: RTCIceServer[]; micId?: string; localStream?: MediaStream };
  peer?: { instance?: RTCPeerConnection };
}

/**
 * The call's RTCPeerConnection, as `call.peer.instance` (neither is in the SDK's docs): the only
 * way to getStats(), to silence a held call (2.27's hold leaves media running) and to see a
 * microphone switch take effect.
 */
export function peerConnectionOf(call: QuirkyCall): RTCPeerConnection | undefined {
  return call.peer?.instance;
}

/**
 * `answer()` takes no media options in 2.27; it reads them from `call.options` when it builds the
 * peer connection, so they are set there first.
 */
export function setAnswerMedia(call: QuirkyCall, media: { iceServers?: RTCIceServer[] | undefined; micId?: string | undefined; stream?: MediaStream | undefined }): void {
  if (media.iceServers) call.options.iceServers = media.iceServers;
  if (media.micId) call.options.micId = media.micId;
  // A microphone opened ahead (client.prepare()): the SDK's _retrieveLocalStream sends a valid
  // options.localStream instead of calling getUserMedia, and stops it when the call ends.
  if (media.stream) call.options.localStream = media.stream;
}

function voiceSdkId(): string | null {
  try {
    return globalThis.sessionStorage?.getItem(VOICE_SDK_ID_KEY) ?? null;
  } catch {
    return null;
  }
}
