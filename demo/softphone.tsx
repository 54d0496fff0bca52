/** @jsxRuntime automatic */
/** @jsxImportSource react */
// The softphone: a React 19 app on polyphone/react, and the bindings' example. The provider is a
// config (a lab preset, or a config string typed in); each Connect makes one VoiceClientProvider
// (keyed, so a new config is a new client) and everything shown comes from its hooks.
import { StrictMode, useCallback, useEffect, useState, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { ALL_PROVIDERS, normalizeTrace, type Call, type Credentials, type VoiceClient, type VoiceClientConfig } from '../src/all.js';
import { VoiceClientProvider, useClientState, useCalls, useVoiceClient, useVoiceClientError } from '../src/react/index.js';
import { useEventLog } from './hooks.js';
import { Phone, type Act } from './phone.js';

export interface Preset {
  id: string;
  label: string;
  config: string | VoiceClientConfig;
  /** Whom this preset's user calls by default in the lab. */
  dial: string;
}

declare global {
  interface Window {
    DEMO_PRESETS?: Preset[];
    softphone?: { client: VoiceClient | undefined; call: Call | undefined; trace(): string[]; timings: Record<string, number> };
  }
}

const presets = window.DEMO_PRESETS ?? [];
const timings: Record<string, number> = {};
const shownNow: { client: VoiceClient | undefined; call: Call | undefined } = { client: undefined, call: undefined };
const showCall = (call: Call | undefined) => void (shownNow.call = call);

/** One Connect: the config and credentials it was made with, kept in this page's memory only. */
interface Session {
  key: number;
  config: string | VoiceClientConfig;
  credentials: Credentials | undefined;
  dial: string | undefined;
}

type CredentialForm = { type: string; user: string; secret: string };

function credentialsFrom({ type, user, secret }: CredentialForm): Credentials | undefined {
  switch (type) {
    case 'anonymous':
      return { type: 'anonymous' };
    case 'password':
      return { type: 'password', password: secret, ...(user ? { username: user, login: user } : {}) };
    case 'jwt':
      return { type: 'jwt', token: secret };
    case 'accessToken':
      return { type: 'accessToken', userId: user, accessToken: secret };
    default:
      return undefined;
  }
}

/** Clients a Connect was already started for (an effect may run twice). */
const connecting = new WeakSet<VoiceClient>();

function Softphone(props: { session: Session | undefined; connect(): void; afterConnect(dial: string | undefined): void; act: Act; log(line: string): void; dial: string; setDial(v: string): void; lastError: string }): ReactNode {
  const { session, act, log, afterConnect } = props;
  const client = useVoiceClient();
  const failure = useVoiceClientError();
  const { state, provider } = useClientState();
  const calls = useCalls();
  useEventLog(client, calls.map((c) => c.call), log, timings);

  useEffect(() => {
    shownNow.client = client;
    document.body.dataset.clientState = session ? state : 'none';
  }, [client, session, state]);

  // Connect as soon as this session's client exists.
  useEffect(() => {
    if (!client || !session || connecting.has(client)) return;
    connecting.add(client);
    act('connect', async () => {
      if (session.credentials) await client.authenticate(session.credentials);
      const started = performance.now();
      await client.connect();
      timings.connectMs = performance.now() - started;
      afterConnect(session.dial);
    })();
  }, [client, session, act, afterConnect]);

  useEffect(() => {
    if (failure) log(`error ${failure.code} ${failure.message}`);
  }, [failure, log]);

  const canConnect = !session || state === 'disconnected' || failure !== undefined;
  return (
    <>
      <p>
        <button id="connect" disabled={!canConnect} onClick={props.connect}>Connect</button>
        <button id="disconnect" disabled={!client || state === 'idle' || state === 'disconnected'} onClick={act('disconnect', () => client?.disconnect())}>Disconnect</button>
        {' '}client <span id="client-state" className="state">{session ? state : 'no client'}</span> via <span id="provider">{provider}</span>{' '}
        <span id="last-error">{failure?.code ?? props.lastError}</span>
      </p>
      <Phone act={act} dial={props.dial} setDial={props.setDial} onShown={showCall} />
    </>
  );
}

function App(): ReactNode {
  const [presetId, setPresetId] = useState(() => new URLSearchParams(location.search).get('preset') ?? presets[0]?.id ?? '');
  const [typedConfig, setTypedConfig] = useState('');
  const [form, setForm] = useState<CredentialForm>({ type: '', user: '', secret: '' });
  const [session, setSession] = useState<Session | undefined>(undefined);
  const [dial, setDial] = useState('');
  const [lines, setLines] = useState<string[]>([]);
  const [lastError, setLastError] = useState('');

  const log = useCallback((line: string) => setLines((all) => [`${new Date().toISOString().slice(11, 23)} ${line}`, ...all].slice(0, 300)), []);
  const act = useCallback<Act>(
    (what, run) => () => {
      Promise.resolve()
        .then(run)
        .catch((error: { code?: string; message?: string }) => {
          log(`error ${what}: ${error?.code ?? ''} ${error?.message ?? String(error)}`);
          setLastError(error?.code ?? 'error');
        });
    },
    [log],
  );
  // Connected: the secret leaves the form (the client holds it for re-registration).
  const afterConnect = useCallback((presetDial: string | undefined) => {
    setForm((f) => ({ ...f, secret: '' }));
    if (presetDial) setDial((d) => d || presetDial);
  }, []);
  const connect = () => {
    const preset = presets.find((p) => p.id === presetId);
    const config = typedConfig.trim() || preset?.config;
    if (!config) return setLastError('CONFIG_INVALID');
    setLastError('');
    setSession((s) => ({ key: (s?.key ?? 0) + 1, config, credentials: credentialsFrom(form), dial: typedConfig.trim() ? undefined : preset?.dial }));
  };

  const phone = <Softphone session={session} connect={connect} afterConnect={afterConnect} act={act} log={log} dial={dial} setDial={setDial} lastError={lastError} />;
  return (
    <>
      <fieldset>
        <legend>Provider</legend>
        <label>Lab preset <select id="preset" value={presetId} onChange={(e) => setPresetId(e.target.value)}>{presets.map((p) => <option key={p.id} value={p.id}>{p.label}</option>)}</select></label>
        <br />
        <label>or a config string <input id="config" type="text" autoComplete="off" placeholder="sipjs:wss://pbx.example.com/ws?uri=sip:alice@example.com&maxCalls=2" value={typedConfig} onChange={(e) => setTypedConfig(e.target.value)} /></label>
        <br />
        <label>credentials <select id="cred-type" value={form.type} onChange={(e) => setForm({ ...form, type: e.target.value })}>
          <option value="">from the preset / none</option>
          <option value="anonymous">anonymous</option>
          <option value="password">password (SIP digest, Telnyx login)</option>
          <option value="jwt">JWT (Telnyx)</option>
          <option value="accessToken">access token (Sendbird)</option>
        </select></label>
        <input id="cred-user" type="text" autoComplete="off" placeholder="user name / login / user id (optional)" value={form.user} onChange={(e) => setForm({ ...form, user: e.target.value })} />
        <input id="cred-secret" type="password" autoComplete="off" placeholder="password / token" value={form.secret} onChange={(e) => setForm({ ...form, secret: e.target.value })} />
        <br /><small>Credentials stay in this page's memory: never in the URL, storage or the event log.</small>
        {session ? (
          <VoiceClientProvider key={session.key} config={session.config as VoiceClientConfig} providers={ALL_PROVIDERS}>{phone}</VoiceClientProvider>
        ) : (
          phone
        )}
      </fieldset>
      <fieldset>
        <legend>Events</legend>
        <ol id="log" reversed>{lines.map((line, i) => <li key={lines.length - i}>{line}</li>)}</ol>
      </fieldset>
    </>
  );
}

window.softphone = {
  get client() {
    return shownNow.client;
  },
  get call() {
    return shownNow.call;
  },
  trace: () => (shownNow.client ? normalizeTrace(shownNow.client.trace()) : []),
  timings,
};
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
