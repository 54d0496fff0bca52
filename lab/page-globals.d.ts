// What lab pages keep on `window`, declared once for the lab's page-side code (checkJs). Each is
// set by the module named beside it; Node-side code reads them through page.evaluate.

/** A JsSIP session as the lab agent uses it (lab/cognigy/agent.mjs). */
interface LabAgentSession {
  isEnded(): boolean;
  isEstablished(): boolean;
  sendInfo(contentType: string, body: string): void;
  terminate(): void;
  refer(target: string, options: { eventHandlers: Record<string, (event: any) => void> }): void;
  on(event: string, handler: (event: any) => void): void;
  answer(options: Record<string, unknown>): void;
  _dialog: { id: { call_id: string; local_tag: string; remote_tag: string } };
}

interface Window {
  /** Every RTCPeerConnection the page made (lab/browser/index.mjs INIT_SCRIPT). */
  __pcs?: RTCPeerConnection[];
  /** The <audio> elements that play remote tracks, and whether they may (INIT_SCRIPT). */
  __speakers?: HTMLAudioElement[];
  __playRemoteAudio?: boolean;
  /** Firefox's per-stats-id energy bookkeeping (lab/browser/firefox.mjs). */
  __heardEnergy?: Map<string, { raw: number; heard: number }>;
  /** The fake microphones (lab/browser/fake-devices.mjs). */
  __fakeDevices?: { unplug(deviceId: string): void; liveInputs(): string[] };
  __analysisContext?: AudioContext;
  /** The lab's SIP agent (lab/cognigy/agent.mjs): set before anything reads it. */
  __agent: {
    ua: { stop(): void; call(target: string, options: Record<string, unknown>): unknown };
    sessions: LabAgentSession[];
    invites: Array<{ requestUri: string; to: string; from: string; headers: Record<string, string[]>; body: string }>;
    dtmf: Array<{ tone: string; contentType: string | null }>;
    infos: Array<{ contentType: string; body: string }>;
    ends: Array<{ originator: string; cause: string; reason: string | null; method: string | null }>;
  };
  /** The raw vendor SDKs, loaded on demand (lab/browser/raw-entry.ts). */
  rawVendors: {
    sipjs(): Promise<typeof import('sip.js')>;
    jssip(): Promise<typeof import('jssip') & { default?: typeof import('jssip') }>;
    telnyx(): Promise<typeof import('@telnyx/webrtc')>;
    sendbird(): Promise<typeof import('sendbird-calls') & { default?: typeof import('sendbird-calls') }>;
  };
  /** polyphone, as the page bundle exposes it (lab/browser/page-entry.ts). */
  polyphone: typeof import('../src/all.js');
  pageReady?: boolean;
}
