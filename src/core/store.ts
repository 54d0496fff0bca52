import type { Call, CallDirection } from './api.js';
import type { VoiceClient } from './api.js';
import type { ProviderCapabilities } from './contract.js';
import type { CallEndReason, CallEvents, CallState, ClientEvents, ClientState } from './events.js';

/** What a call UI shows of the client. Immutable; a new object only when something changed. */
export interface ClientSnapshot {
  readonly state: ClientState;
  readonly provider: string;
  readonly identity: string | undefined;
  readonly capabilities: Readonly<ProviderCapabilities>;
}

/** What a call UI shows of one call. Immutable; a new object only when something changed. */
export interface CallSnapshot {
  /** The handle, for its methods (answer, hold, transfer…). */
  readonly call: Call;
  readonly id: number;
  readonly state: CallState;
  readonly direction: CallDirection;
  readonly peer: string;
  readonly displayName: string | undefined;
  readonly muted: boolean;
  readonly held: boolean;
  /** Who put the call on hold, while it is held and the store saw it happen. */
  readonly heldBy: 'local' | 'remote' | undefined;
  readonly endReason: CallEndReason | undefined;
}

export interface VoiceSnapshot {
  readonly client: ClientSnapshot;
  /** `client.calls`, oldest first. */
  readonly calls: readonly CallSnapshot[];
}

/**
 * A subscribe/snapshot view of one VoiceClient, the shape `useSyncExternalStore` (React), a Vue
 * `shallowRef` or a Svelte store expects. It listens to the client only while it has subscribers,
 * so an unmounted UI leaves no listener behind.
 */
export interface VoiceStore {
  readonly client: VoiceClient;
  /** `listener` runs after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** The same object until something changes (safe to compare by reference). */
  getSnapshot(): VoiceSnapshot;
  /** How many of the client's and calls' event handlers the store holds now (0 without subscribers). */
  readonly listenerCount: number;
}

const CLIENT_EVENTS = ['stateChanged', 'registered', 'unregistered', 'callsChanged', 'providerChanged'] as const satisfies ReadonlyArray<keyof ClientEvents>;
const CALL_EVENTS = ['stateChanged', 'muted', 'unmuted', 'held', 'unheld', 'ended'] as const satisfies ReadonlyArray<keyof CallEvents>;

function sameCapabilities(a: Readonly<ProviderCapabilities>, b: Readonly<ProviderCapabilities>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof ProviderCapabilities>;
  for (const key of keys) if (a[key] !== b[key]) return false;
  return true;
}

function sameCall(a: CallSnapshot, b: CallSnapshot): boolean {
  return a.call === b.call && a.state === b.state && a.muted === b.muted && a.heldBy === b.heldBy && a.endReason === b.endReason;
}

export function createVoiceStore(client: VoiceClient): VoiceStore {
  const listeners = new Set<() => void>();
  const detachers = new Map<Call | VoiceClient, Array<() => void>>();
  const heldBy = new WeakMap<Call, 'local' | 'remote'>();
  let snapshot: VoiceSnapshot | undefined;

  const clientSnapshot = (previous: ClientSnapshot | undefined): ClientSnapshot => {
    const next: ClientSnapshot = { state: client.state, provider: client.provider, identity: client.identity, capabilities: client.capabilities };
    const same =
      previous &&
      previous.state === next.state &&
      previous.provider === next.provider &&
      previous.identity === next.identity &&
      sameCapabilities(previous.capabilities, next.capabilities);
    return same ? previous : next;
  };

  const callSnapshot = (call: Call, previous: CallSnapshot | undefined): CallSnapshot => {
    const held = call.state === 'held';
    const next: CallSnapshot = {
      call,
      id: call.id,
      state: call.state,
      direction: call.direction,
      peer: call.peer,
      displayName: call.displayName,
      muted: call.muted,
      held,
      heldBy: held ? heldBy.get(call) : undefined,
      endReason: call.endReason,
    };
    return previous && sameCall(previous, next) ? previous : next;
  };

  // Rebuilt from the client on every read, but the previous objects are kept wherever nothing
  // changed: a read without a change returns the very same snapshot.
  const getSnapshot = (): VoiceSnapshot => {
    const previous = snapshot;
    const clientPart = clientSnapshot(previous?.client);
    const byCall = new Map(previous?.calls.map((c) => [c.call, c]));
    const calls = client.calls.map((call) => callSnapshot(call, byCall.get(call)));
    const callsSame = previous !== undefined && previous.calls.length === calls.length && calls.every((c, i) => c === previous.calls[i]);
    if (previous && clientPart === previous.client && callsSame) return previous;
    snapshot = { client: clientPart, calls: callsSame ? previous!.calls : calls };
    return snapshot;
  };

  const notify = () => {
    for (const listener of [...listeners]) {
      try {
        listener();
      } catch {
        /* one subscriber's failure must not starve the others */
      }
    }
  };

  const watchCall = (call: Call) => {
    if (detachers.has(call)) return;
    // Who held it is recorded before the subscribers hear of the hold.
    const offs = [call.on('held', ({ by }) => heldBy.set(call, by)), ...CALL_EVENTS.map((type) => call.on(type, notify))];
    detachers.set(call, offs);
  };

  const syncCalls = () => {
    const live = new Set(client.calls);
    for (const [target, offs] of detachers) {
      if (target !== client && !live.has(target as Call)) {
        offs.forEach((off) => off());
        detachers.delete(target);
      }
    }
    live.forEach(watchCall);
  };

  const attach = () => {
    const offs: Array<() => void> = CLIENT_EVENTS.map((type) =>
      client.on(type, () => {
        if (type === 'callsChanged') syncCalls();
        notify();
      }),
    );
    detachers.set(client, offs);
    syncCalls();
  };

  const detach = () => {
    for (const offs of detachers.values()) offs.forEach((off) => off());
    detachers.clear();
  };

  return {
    client,
    subscribe(listener) {
      listeners.add(listener);
      if (listeners.size === 1) attach();
      return () => {
        if (!listeners.delete(listener)) return;
        if (listeners.size === 0) detach();
      };
    },
    getSnapshot,
    get listenerCount() {
      let count = 0;
      for (const offs of detachers.values()) count += offs.length;
      return count;
    },
  };
}
