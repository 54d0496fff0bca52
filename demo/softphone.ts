// The softphone, written once against VoiceClient. The provider is a config (picked from the lab's
// presets or typed as a string); nothing below knows which vendor runs.
import { createVoiceClient, normalizeTrace, type Call, type Credentials, type TranscriptEntry, type VoiceClient, type VoiceClientConfig } from '../src/all.js';

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

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const presets = window.DEMO_PRESETS ?? [];
let client: VoiceClient | undefined;
let call: Call | undefined;
const timings: Record<string, number> = {};

function log(line: string): void {
  const li = document.createElement('li');
  li.textContent = `${new Date().toISOString().slice(11, 23)} ${line}`;
  $('log').prepend(li);
}

function render(): void {
  $('client-state').textContent = client?.state ?? 'no client';
  $('call-state').textContent = call ? `${call.direction} ${call.state}${call.muted ? ' (muted)' : ''}` : 'no call';
  $('provider').textContent = client?.provider ?? '';
  const connected = client?.state === 'connected';
  const live = call && call.state !== 'ended';
  ($('connect') as HTMLButtonElement).disabled = !!client && client.state !== 'disconnected' && client.state !== 'idle';
  ($('disconnect') as HTMLButtonElement).disabled = !client || client.state === 'idle' || client.state === 'disconnected';
  ($('call') as HTMLButtonElement).disabled = !connected || !!live;
  ($('hangup') as HTMLButtonElement).disabled = !live;
  ($('answer') as HTMLButtonElement).disabled = !(live && call!.direction === 'incoming' && call!.state === 'ringing');
  ($('reject') as HTMLButtonElement).disabled = !(live && call!.direction === 'incoming' && call!.state === 'ringing');
  for (const id of ['mute', 'hold']) ($(id) as HTMLButtonElement).disabled = !(live && (call!.state === 'active' || call!.state === 'held'));
  $('mute').textContent = call?.muted ? 'Unmute' : 'Mute';
  $('hold').textContent = call?.state === 'held' ? 'Unhold' : 'Hold';
  // The agent panel only where the session has an agent to talk to.
  const caps = client?.capabilities;
  $('agent').hidden = !(call && (caps?.agentTranscript || caps?.agentText));
  ($('send-text') as HTMLButtonElement).disabled = !(live && caps?.agentText && (call!.state === 'active' || call!.state === 'held'));
  document.body.dataset.callState = call?.state ?? 'none';
  document.body.dataset.clientState = client?.state ?? 'none';
}

function fail(error: unknown): void {
  const e = error as { code?: string; message?: string };
  log(`error ${e.code ?? ''} ${e.message ?? String(error)}`);
  $('last-error').textContent = e.code ?? 'error';
  render();
}

let meterStop: (() => void) | undefined;
function meter(stream: MediaStream): void {
  meterStop?.();
  const audio = new AudioContext();
  void audio.resume();
  const analyser = audio.createAnalyser();
  analyser.fftSize = 512;
  audio.createMediaStreamSource(stream).connect(analyser);
  const data = new Float32Array(analyser.fftSize);
  let running = true;
  // A level meter holds its peak for a moment, so short sounds (the lab's beeps) stay visible.
  let peak = 0;
  let peakAt = 0;
  const tick = () => {
    if (!running) return;
    analyser.getFloatTimeDomainData(data);
    let sum = 0;
    for (const v of data) sum += v * v;
    const level = Math.min(1, Math.sqrt(sum / data.length) * 4);
    const now = performance.now();
    if (level >= peak || now - peakAt > 1_500) {
      peak = level;
      peakAt = now;
    }
    ($('level') as HTMLMeterElement).value = peak;
    requestAnimationFrame(tick);
  };
  tick();
  meterStop = () => {
    running = false;
    void audio.close();
    ($('level') as HTMLMeterElement).value = 0;
  };
}

/** One line per utterance: partial updates replace the line of their id. */
function showTranscript(entry: TranscriptEntry): void {
  const list = $('transcript');
  let line = list.querySelector<HTMLLIElement>(`li[data-id="${CSS.escape(entry.id)}"]`);
  if (!line) {
    line = document.createElement('li');
    line.dataset.id = entry.id;
    list.append(line);
  }
  line.dataset.role = entry.role;
  line.dataset.final = String(entry.final);
  line.textContent = `${entry.role}: ${entry.text}`;
}

function watch(c: Call): void {
  call = c;
  $('transcript').replaceChildren();
  c.on('transcript', showTranscript);
  c.on('agentToolCall', ({ name, respond }) => {
    log(`agent asked for tool ${name}`);
    respond({ error: 'the demo softphone has no tools' }).catch(fail);
  });
  const started = performance.now();
  // Some vendors hand over the remote stream after `active`: meter it whenever it arrives.
  const waitForStream = setInterval(() => {
    if (c.state === 'ended') clearInterval(waitForStream);
    else if (c.remoteStream) {
      clearInterval(waitForStream);
      meter(c.remoteStream);
    }
  }, 100);
  for (const type of ['stateChanged', 'ringing', 'active', 'muted', 'unmuted', 'held', 'unheld', 'dtmf', 'ended', 'error'] as const) {
    c.on(type, (event) => {
      log(`call ${type} ${JSON.stringify(event, (k, v) => (k === 'error' && v ? v.code : v))}`);
      if (type === 'active') timings.callSetupMs = performance.now() - started;
      if (type === 'ended') meterStop?.();
      render();
    });
  }
  render();
}

/** The credentials typed into the form, if any; read at connect time, kept nowhere else. */
function typedCredentials(): Credentials | undefined {
  const type = ($('cred-type') as HTMLSelectElement).value;
  const user = ($('cred-user') as HTMLInputElement).value.trim();
  const secret = ($('cred-secret') as HTMLInputElement).value;
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

async function connect(): Promise<void> {
  const preset = presets.find((p) => p.id === ($('preset') as HTMLSelectElement).value);
  const typed = ($('config') as HTMLInputElement).value.trim();
  const credentials = typedCredentials();
  try {
    // Any config the person types is checked at run time; the demo hands over all four providers.
    client = await createVoiceClient((typed || preset!.config) as Parameters<typeof createVoiceClient>[0]);
    for (const type of ['stateChanged', 'registered', 'unregistered', 'tokenWillExpire', 'tokenRefreshed', 'providerChanged', 'error'] as const) {
      client.on(type, (event) => {
        log(`client ${type} ${JSON.stringify(event, (k, v) => (k === 'error' && v ? v.code : v))}`);
        render();
      });
    }
    client.on('incomingCall', ({ call: incoming, from }) => {
      log(`client incomingCall from ${from}`);
      watch(incoming);
    });
    render();
    if (credentials) await client.authenticate(credentials);
    const started = performance.now();
    await client.connect();
    // Connected: the secret leaves the form too (the client holds it for re-registration).
    ($('cred-secret') as HTMLInputElement).value = '';
    timings.connectMs = performance.now() - started;
    if (preset && !($('target') as HTMLInputElement).value) ($('target') as HTMLInputElement).value = preset.dial;
  } catch (error) {
    fail(error);
  }
  render();
}

const actions: Record<string, () => Promise<unknown> | undefined> = {
  connect,
  disconnect: () => client?.disconnect(),
  call: async () => watch(await client!.call(($('target') as HTMLInputElement).value, { audioElement: $('remote-audio') as HTMLAudioElement })),
  hangup: () => call?.hangup(),
  answer: () => call?.answer({ audioElement: $('remote-audio') as HTMLAudioElement }),
  reject: () => call?.reject(),
  mute: () => (call?.muted ? call.unmute() : call?.mute()),
  hold: () => (call?.state === 'held' ? call.unhold() : call?.hold()),
  'send-text': async () => {
    const input = $('agent-text') as HTMLInputElement;
    await call?.sendText(input.value);
    log('sent text to the agent');
    input.value = '';
  },
};

for (const [id, action] of Object.entries(actions)) {
  $(id).addEventListener('click', () => {
    Promise.resolve(action()).then(render, fail);
  });
}
for (const key of document.querySelectorAll<HTMLButtonElement>('#dialpad button')) {
  key.addEventListener('click', () => {
    const digit = key.textContent!;
    if (call && call.state === 'active') call.sendDtmf(digit).then(() => log(`sent dtmf ${digit}`), fail);
    else ($('target') as HTMLInputElement).value += digit;
  });
}

const select = $('preset') as HTMLSelectElement;
for (const p of presets) select.add(new Option(p.label, p.id));
const fromQuery = new URLSearchParams(location.search).get('preset');
if (fromQuery) select.value = fromQuery;

window.softphone = {
  get client() {
    return client;
  },
  get call() {
    return call;
  },
  trace: () => (client ? normalizeTrace(client.trace()) : []),
  timings,
};
render();
