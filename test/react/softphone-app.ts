// A small React 19 call UI on polyphone/react, bundled by esbuild for the browser test: every
// state it shows comes from the hooks, every action is a button. It counts client creations and
// the client's live event handlers so the test can check StrictMode and unmount leave no extra.
import { StrictMode, createElement as h, useEffect, useState, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { createVoiceClient, type VoiceClient, type VoiceConfig } from '../../src/all.js';
import { VoiceClientProvider, useCalls, useClientState, useVoiceClient, useVoiceStore, type CallSnapshot } from '../../src/react/index.js';

const app = {
  creations: 0,
  effectRuns: 0,
  liveHandlers: 0,
  errors: [] as string[],
  client: undefined as VoiceClient | undefined,
  listenerCount: () => -1,
};
(window as unknown as { __app: typeof app }).__app = app;

/** Counts the handlers the UI holds on the client: each `on` adds one, its unsubscribe removes it. */
function counted(client: VoiceClient): VoiceClient {
  const on = client.on.bind(client);
  (client as { on: VoiceClient['on'] }).on = (type, handler) => {
    app.liveHandlers++;
    const off = on(type, handler);
    let done = false;
    return () => {
      if (!done) app.liveHandlers--;
      done = true;
      off();
    };
  };
  return client;
}

async function createClient(config: VoiceConfig | VoiceConfig[]): Promise<VoiceClient> {
  app.creations++;
  const client = counted(await createVoiceClient(config));
  app.client = client;
  return client;
}

const act = (what: string, run: () => Promise<unknown> | undefined) => () => {
  void Promise.resolve(run()).catch((error: { code?: string }) => app.errors.push(`${what}: ${error?.code ?? String(error)}`));
};

function CallRow({ snapshot }: { snapshot: CallSnapshot }): ReactNode {
  const { call } = snapshot;
  return h(
    'li',
    { 'data-call': snapshot.id, 'data-state': snapshot.state, 'data-muted': String(snapshot.muted), 'data-held': String(snapshot.held), 'data-direction': snapshot.direction },
    `#${snapshot.id} ${snapshot.direction} ${snapshot.peer} ${snapshot.state}${snapshot.muted ? ' muted' : ''}${snapshot.held ? ` held(${snapshot.heldBy ?? '?'})` : ''} `,
    snapshot.direction === 'incoming' && snapshot.state === 'ringing' ? h('button', { 'data-action': 'answer', onClick: act('answer', () => call.answer()) }, 'Answer') : null,
    h('button', { 'data-action': snapshot.muted ? 'unmute' : 'mute', onClick: act('mute', () => (snapshot.muted ? call.unmute() : call.mute())) }, snapshot.muted ? 'Unmute' : 'Mute'),
    h('button', { 'data-action': snapshot.held ? 'unhold' : 'hold', onClick: act('hold', () => (snapshot.held ? call.unhold() : call.hold())) }, snapshot.held ? 'Resume' : 'Hold'),
    h('button', { 'data-action': 'hangup', onClick: act('hangup', () => call.hangup()) }, 'Hang up'),
  );
}

function Softphone(): ReactNode {
  const client = useVoiceClient();
  const store = useVoiceStore();
  const { state, provider } = useClientState();
  const calls = useCalls();
  const [target, setTarget] = useState('');
  useEffect(() => {
    app.effectRuns++;
  }, []);
  if (store) app.listenerCount = () => store.listenerCount;
  return h(
    'main',
    null,
    h('p', { id: 'client-state', 'data-state': state }, `${provider || '…'}: ${state}`),
    h('button', { id: 'connect', onClick: act('connect', () => client?.connect()) }, 'Connect'),
    h('button', { id: 'disconnect', onClick: act('disconnect', () => client?.disconnect()) }, 'Disconnect'),
    h('input', { id: 'target', value: target, onChange: (e: { target: { value: string } }) => setTarget(e.target.value) }),
    h('button', { id: 'call', onClick: act('call', () => client?.call(target)) }, 'Call'),
    h('ul', { id: 'calls', 'data-count': calls.length }, ...calls.map((c) => h(CallRow, { key: c.id, snapshot: c }))),
  );
}

let root: Root | undefined;
const mount = (config: VoiceConfig) => {
  const container = document.getElementById('root')!;
  root = createRoot(container);
  root.render(h(StrictMode, null, h(VoiceClientProvider, { config, createClient }, h(Softphone))));
};
const unmount = () => root?.unmount();
Object.assign(window, { __mount: mount, __unmount: unmount, appReady: true });
