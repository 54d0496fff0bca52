'use client';
import { createContext, createElement, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { VoiceClient } from '../core/api.js';
import { createVoiceClient } from '../core/create.js';
import type { AnyProviderDefinition, VoiceConfig as TypedVoiceConfig } from '../core/typed-config.js';
import { VoiceError, describeCause, isVoiceError } from '../core/errors.js';
import { createVoiceStore, type VoiceStore } from '../core/store.js';

type VoiceConfig = TypedVoiceConfig<readonly AnyProviderDefinition[]>;

export interface VoiceContextValue {
  store: VoiceStore | undefined;
  /** Creating the client failed (a bad config): a CONFIG_INVALID VoiceError. */
  error: VoiceError | undefined;
}

export const VoiceContext = createContext<VoiceContextValue>({ store: undefined, error: undefined });

export interface VoiceClientProviderProps {
  /** A client the app made itself; the provider then neither creates nor disconnects one. */
  client?: VoiceClient;
  /** Read once, at the first mount: give the provider a new `key` for a client with another config. */
  config?: VoiceConfig | VoiceConfig[];
  /** The providers `config` may name, as for `createVoiceClient` (read once, with `config`). */
  providers?: readonly AnyProviderDefinition[];
  /** How the client is made from `config` (default `createVoiceClient` with `providers`). */
  createClient?: (config: VoiceConfig | VoiceConfig[]) => Promise<VoiceClient>;
  children?: ReactNode;
}

/** The client made for one mount of a provider; kept in a ref so StrictMode's effect replay reuses it. */
interface OwnedClient {
  creating: Promise<void> | undefined;
  client: VoiceClient | undefined;
  disposeTimer: ReturnType<typeof setTimeout> | undefined;
  disposed: boolean;
}

function asVoiceError(error: unknown): VoiceError {
  return isVoiceError(error) ? error : new VoiceError('CONFIG_INVALID', 'The voice client could not be created.', { cause: describeCause(error) });
}

/**
 * Makes one VoiceClient (or takes the app's) and hands its store to the hooks below it.
 *
 * StrictMode mounts, unmounts and mounts again in development: the client is created in an
 * effect (never during render, never on a server) and its disposal is deferred by one task, so
 * the replayed mount finds the same client and a real unmount disconnects it.
 */
export function VoiceClientProvider(props: VoiceClientProviderProps): ReactNode {
  const given = props.client;
  const [givenStore] = useState(() => (given ? createVoiceStore(given) : undefined));
  const [ownStore, setOwnStore] = useState<VoiceStore | undefined>(undefined);
  const [error, setError] = useState<VoiceError | undefined>(undefined);
  const owned = useRef<OwnedClient | null>(null);
  const first = useRef({ config: props.config, createClient: props.createClient, providers: props.providers });

  useEffect(() => {
    if (given) return;
    const mine = (owned.current ??= { creating: undefined, client: undefined, disposeTimer: undefined, disposed: false });
    if (mine.disposeTimer !== undefined) {
      clearTimeout(mine.disposeTimer);
      mine.disposeTimer = undefined;
    }
    if (!mine.creating) {
      const { config, createClient, providers } = first.current;
      if (config === undefined) {
        setError(new VoiceError('CONFIG_INVALID', 'VoiceClientProvider needs a `client` or a `config`.', { details: { field: 'config' } }));
        return;
      }
      mine.creating = (createClient ?? ((c: VoiceConfig | VoiceConfig[]) => createVoiceClient(c, { providers: providers ?? [] })))(config).then(
        (client) => {
          // Unmounted meanwhile: a fresh client has no session yet, but disconnect() is cheap and sure.
          if (mine.disposed) return void client.disconnect().catch(() => {});
          mine.client = client;
          setOwnStore(createVoiceStore(client));
        },
        (failure: unknown) => {
          if (!mine.disposed) setError(asVoiceError(failure));
        },
      );
    }
    return () => {
      mine.disposeTimer = setTimeout(() => {
        mine.disposed = true;
        if (owned.current === mine) owned.current = null;
        void mine.client?.disconnect().catch(() => {});
      }, 0);
    };
  }, [given]);

  const store = givenStore ?? ownStore;
  const value = useMemo<VoiceContextValue>(() => ({ store, error }), [store, error]);
  return createElement(VoiceContext.Provider, { value }, props.children);
}
