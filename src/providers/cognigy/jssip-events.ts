import type { UA } from 'jssip/lib/UA.js';
import type { RTCSession } from 'jssip/lib/RTCSession.js';
import { VoiceError } from '../../core/provider-kit.js';
import { registrationFailure } from './errors.js';

const NAME = 'cognigy';

/** JsSIP's objects are Node EventEmitters; polyphone builds without Node's types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Listener = (...args: any[]) => void;
export interface JssipEmitter {
  on(name: string, listener: Listener): unknown;
  once(name: string, listener: Listener): unknown;
  removeListener(name: string, listener: Listener): unknown;
}
export const emitterOf = (value: UA | RTCSession): JssipEmitter => value as unknown as JssipEmitter;

/** Waits for one event of a JsSIP emitter, at most `timeoutMs`; never rejects. */
export function once(emitter: JssipEmitter, name: string, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      emitter.removeListener(name, done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    emitter.once(name, done);
  });
}

function socketClosed(event: { code?: number }): VoiceError {
  return new VoiceError('NETWORK_UNREACHABLE', 'The SIP WebSocket server could not be reached.', {
    provider: NAME,
    cause: { name: 'WebSocketClosed', ...(event.code !== undefined ? { code: event.code } : {}) },
  });
}

/**
 * Waits for the REGISTER that `send` starts: resolves on `registered`, rejects with the reason it
 * failed, and, with `failOnDisconnect`, with NETWORK_UNREACHABLE when the WebSocket closes first.
 */
export function registrationOutcome(ua: UA, send: () => void, failOnDisconnect: boolean): Promise<void> {
  const events = emitterOf(ua);
  return new Promise<void>((resolve, reject) => {
    const cleanup = () => {
      events.removeListener('registered', onRegistered);
      events.removeListener('registrationFailed', onFailed);
      events.removeListener('disconnected', onDisconnected);
    };
    const onRegistered = () => {
      cleanup();
      resolve();
    };
    const onFailed = (event: { response?: { status_code?: number } | null; cause?: string }) => {
      cleanup();
      reject(registrationFailure(event.response?.status_code, event.cause));
    };
    const onDisconnected = (event: { code?: number }) => {
      cleanup();
      reject(socketClosed(event));
    };
    events.on('registered', onRegistered);
    events.on('registrationFailed', onFailed);
    if (failOnDisconnect) events.on('disconnected', onDisconnected);
    send();
  });
}

/** A runtime endpoint's connect: done when the WebSocket is up, failed when it closes first. */
export function connectionOutcome(ua: UA): Promise<void> {
  const events = emitterOf(ua);
  return new Promise<void>((resolve, reject) => {
    const cleanup = () => {
      events.removeListener('connected', onConnected);
      events.removeListener('disconnected', onDisconnected);
    };
    const onConnected = () => {
      cleanup();
      resolve();
    };
    const onDisconnected = (event: { code?: number }) => {
      cleanup();
      reject(socketClosed(event));
    };
    events.on('connected', onConnected);
    events.on('disconnected', onDisconnected);
    ua.start();
  });
}
