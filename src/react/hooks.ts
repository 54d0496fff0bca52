'use client';
import { useContext, useSyncExternalStore } from 'react';
import type { Call } from '../core/api.js';
import type { VoiceClient } from '../core/api.js';
import type { VoiceError } from '../core/errors.js';
import type { CallSnapshot, ClientSnapshot, VoiceSnapshot, VoiceStore } from '../core/store.js';
import { VoiceContext } from './provider.js';

/** What the hooks read before a client exists, and on a server. */
const NO_CLIENT: VoiceSnapshot = Object.freeze({
  client: Object.freeze({ state: 'idle', provider: '', identity: undefined, capabilities: Object.freeze({}) as ClientSnapshot['capabilities'] }),
  calls: Object.freeze([]) as readonly CallSnapshot[],
});
const noSubscription = () => () => {};
const noClient = () => NO_CLIENT;

/** The store of the nearest VoiceClientProvider (undefined until its client exists). */
export function useVoiceStore(): VoiceStore | undefined {
  return useContext(VoiceContext).store;
}

/** The client itself, for its methods (connect, call, disconnect…); undefined until it exists. */
export function useVoiceClient(): VoiceClient | undefined {
  return useVoiceStore()?.client;
}

/** Why the provider has no client (its config was refused), if so. */
export function useVoiceClientError(): VoiceError | undefined {
  return useContext(VoiceContext).error;
}

/** The whole snapshot; re-renders on any change of the client or its calls. */
export function useVoiceSnapshot(): VoiceSnapshot {
  const store = useVoiceStore();
  return useSyncExternalStore(store ? store.subscribe : noSubscription, store ? store.getSnapshot : noClient, noClient);
}

/** The client's state, provider, identity and capabilities. */
export function useClientState(): ClientSnapshot {
  return useVoiceSnapshot().client;
}

/** The live calls, oldest first. */
export function useCalls(): readonly CallSnapshot[] {
  return useVoiceSnapshot().calls;
}

/** One live call's state (by handle or id); undefined once it has ended or when there is none. */
export function useCall(call: Call | number | undefined): CallSnapshot | undefined {
  const calls = useCalls();
  if (call === undefined) return undefined;
  return calls.find((c) => (typeof call === 'number' ? c.id === call : c.call === call));
}
