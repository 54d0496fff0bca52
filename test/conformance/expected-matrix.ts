// The pinned expected matrix: what every built-in provider must give in every scenario of the
// conformance suite. A run that differs in EITHER direction fails the scenario (a cell that turns
// `unsupported` where `pass` is pinned, or passes where `unsupported` is pinned). Data only; the
// suite (suite.ts) and expected-matrix.test.ts read it.
//
// Adding a scenario: add its name to SCENARIOS (matrix.ts), its body to suite.ts, and one row
// below naming every provider. Declaring a capability away: add it to the provider's `lacks`
// with the vendor's own limit, cited, and mark the rows that then become `unsupported`.
import type { ScenarioName } from './matrix.js';

/** Why a provider cannot do something: the vendor's own limit, with where it shows. */
export interface Citation {
  why: string;
  /** Where the limit can be read: a file of the vendor package, or its documentation. */
  source: string;
}

/** `pass`, or `unsupported` because the provider declares `capability` false (and must act so). */
export type ExpectedCell = 'pass' | { unsupported: Capability };

export type Capability =
  | 'incomingCalls'
  | 'mute'
  | 'hold'
  | 'remoteHold'
  | 'dtmf'
  | 'receiveDtmf'
  | 'tokenRefresh'
  | 'anonymous'
  | 'defaultTarget'
  | 'agentTranscript'
  | 'agentText'
  | 'agentTools'
  | 'inputSelection'
  | 'outputSelection'
  | 'multipleCalls'
  | 'transfer'
  | 'quality'
  | 'mediaReconnect'
  | 'preparedMicrophone';

// Cognigy's INFO bodies, the one AI-agent wire a SIP peer speaks here, carry transcripts and text only.
const SIP_AGENT_HAS_NO_TOOLS: Citation = {
  why: "Cognigy's INFO bodies carry `_transcription` and `{text, data}` only: nothing in them calls a tool, so a SIP session has no agent tools",
  source: 'GitHub Cognigy/click-to-call-sdk src/SessionManager.ts (handleNewInfo) and src/SipManager.ts (sendInfo)',
};
const SENDBIRD_HAS_NO_AGENT: Citation = {
  why: 'sendbird-calls 1.10 has no AI-agent channel: no transcript event, no message to an agent',
  source: 'node_modules/sendbird-calls/SendBirdCall.min.d.ts (DirectCall, DirectCallEventHandler)',
};
const TELNYX_AGENT_ONLY_ANONYMOUS: Citation = {
  why: "ai_conversation frames come only on an anonymous_login to an AI assistant; the suite's Telnyx users log in with a JWT (the agent is proven in test/agents)",
  source: 'node_modules/@telnyx/webrtc/lib/bundle.mjs (anonymous_login; telnyx.ai.conversation)',
};

export interface ProviderExpectation {
  /**
   * Every capability the provider declares false once the lab's caller is connected. The suite
   * compares this with `client.capabilities`: a flag turned off is a failing cell, not a green one.
   */
  lacks: Partial<Record<Capability, Citation>>;
  /**
   * Why `call.getStats()` may give nothing on a call with audio. Absent: every call with audio
   * must show received audio through `call.getStats()`.
   */
  getStatsWaiver?: Citation;
}

export const PROVIDER_EXPECTATIONS: Record<string, ProviderExpectation> = {
  sipjs: { lacks: { agentTools: SIP_AGENT_HAS_NO_TOOLS } },
  cognigy: {
    lacks: {
      agentTools: SIP_AGENT_HAS_NO_TOOLS,
    },
  },
  telnyx: {
    lacks: {
      agentTranscript: TELNYX_AGENT_ONLY_ANONYMOUS,
      agentText: TELNYX_AGENT_ONLY_ANONYMOUS,
      agentTools: TELNYX_AGENT_ONLY_ANONYMOUS,
      transfer: {
        why: '@telnyx/webrtc has no transfer: Telnyx transfers through its server-side Call Control API',
        source: 'node_modules/@telnyx/webrtc/lib/src/Modules/Verto/webrtc/BaseCall.d.ts (no transfer method)',
      },
      mediaReconnect: {
        why: '@telnyx/webrtc restarts ICE by itself (Peer.restartIce with telnyx_rtc.modify updateMedia) and exposes no way to drive it, so polyphone only watches',
        source: 'node_modules/@telnyx/webrtc/lib/bundle.mjs (restartIce, updateMedia)',
      },
      remoteHold: {
        why: '@telnyx/webrtc 2.27.10 has no handler for a pushed telnyx_rtc.modify (its call message switch knows Answer, Attach, Bye, Candidate, Display, Event, Info, Media, Ringing), so a held party is never told',
        source: 'node_modules/@telnyx/webrtc/lib/bundle.js (BaseCall.handleMessage)',
      },
      receiveDtmf: {
        why: 'Nothing in the SDK or in Telnyx documentation shows the service forwarding a telnyx_rtc.info DTMF to the far WebRTC leg: the SDK only sends it (Call.dtmf) and passes any inbound telnyx_rtc.info on as a generic notification; the notification reference lists no DTMF type',
        source: 'node_modules/@telnyx/webrtc/lib/bundle.js (dtmf(e), case lt.Info); https://developers.telnyx.com/development/webrtc/js-sdk/reference/inotification',
      },
    },
  },
  sendbird: {
    lacks: {
      dtmf: {
        why: 'sendbird-calls 1.10 has no DTMF: nothing on DirectCall, nothing on the wire',
        source: 'node_modules/sendbird-calls/SendBirdCall.min.d.ts (DirectCall has no DTMF method)',
      },
      receiveDtmf: {
        why: 'sendbird-calls 1.10 has no DTMF, so none can arrive either',
        source: 'node_modules/sendbird-calls/SendBirdCall.min.d.ts (DirectCallEventHandler has no DTMF event)',
      },
      anonymous: {
        why: 'sendbird-calls authenticates a user id with an access token; it has no guest login',
        source: 'node_modules/sendbird-calls/SendBirdCall.min.d.ts (AuthOption.userId is required)',
      },
      agentTranscript: SENDBIRD_HAS_NO_AGENT,
      agentText: SENDBIRD_HAS_NO_AGENT,
      agentTools: SENDBIRD_HAS_NO_AGENT,
      transfer: {
        why: 'sendbird-calls 1.10 has no transfer',
        source: 'node_modules/sendbird-calls/SendBirdCall.min.d.ts (DirectCall has no transfer method)',
      },
      mediaReconnect: {
        why: 'sendbird-calls restores the media by itself (onReconnecting/onReconnected) and exposes no ICE restart',
        source: 'node_modules/sendbird-calls/SendBirdCall.min.d.ts (DirectCallEventHandler.onReconnecting)',
      },
      preparedMicrophone: {
        why: "sendbird-calls 1.10's dial/accept take a DirectCallOption (media views, audioEnabled, videoEnabled) and no MediaStream; each call's useMedia() access makes the StreamManager run a new getUserMedia and stop the old stream, so a microphone opened ahead cannot be handed in",
        source: 'node_modules/sendbird-calls/SendBirdCall.min.d.ts (DialParams, AcceptParams, DirectCallOption); SendBirdCall.min.js (StreamManager.updateStream)',
      },
    },
  },
};

const ALL_PASS = { sipjs: 'pass', cognigy: 'pass', telnyx: 'pass', sendbird: 'pass' } as const;
const NO_TRANSFER = { ...ALL_PASS, telnyx: { unsupported: 'transfer' }, sendbird: { unsupported: 'transfer' } } as const;

/** scenario → provider → expected cell. Every scenario names every built-in provider. */
export const EXPECTED_MATRIX: Record<ScenarioName, Record<string, ExpectedCell>> = {
  register: ALL_PASS,
  'wrong credentials': ALL_PASS,
  'unreachable server': ALL_PASS,
  'outgoing call with audio': ALL_PASS,
  'incoming call': ALL_PASS,
  'heard through the app audioElement': ALL_PASS,
  reject: ALL_PASS,
  cancel: ALL_PASS,
  unanswered: ALL_PASS,
  'remote hangup': ALL_PASS,
  mute: ALL_PASS,
  hold: ALL_PASS,
  'far end sees hold': { ...ALL_PASS, telnyx: { unsupported: 'remoteHold' } },
  DTMF: { ...ALL_PASS, sendbird: { unsupported: 'dtmf' } },
  'DTMF received': { ...ALL_PASS, telnyx: { unsupported: 'receiveDtmf' }, sendbird: { unsupported: 'dtmf' } },
  'token refresh': ALL_PASS,
  'disconnect mid-call': ALL_PASS,
  // The same reconnection trace everywhere (golden/server-restart.json), then a call reaches the client.
  'server restart': ALL_PASS,
  'basic call = golden trace': ALL_PASS,
  'no secret in traces or console': ALL_PASS,
};

/**
 * Rows recorded outside suite.ts (through cellTest, extra-cells.ts) that are pinned as well: a run
 * whose cell differs fails that test. Every row names every built-in provider.
 */
export const EXPECTED_EXTRA_ROWS: Record<string, Record<string, ExpectedCell>> = {
  'preflight: ready on the clean lab': ALL_PASS,
  'preflight: blocked (credentials refused)': ALL_PASS,
  'preflight: blocked (signalling unreachable)': ALL_PASS,
  'preflight: permission-denied': ALL_PASS,
  'preflight: degraded under heavy loss': ALL_PASS,
  // test/calls/call-waiting-scenario.ts, one thin file per provider.
  'several calls: call waiting': ALL_PASS,
  'several calls: a second call refused busy': ALL_PASS,
  // test/calls/transfer-scenario.ts on sipjs and cognigy; telnyx and sendbird in declared-unsupported.test.ts.
  'transfer: blind': NO_TRANSFER,
  'transfer: blind to a user nobody registered': NO_TRANSFER,
  'transfer: attended': NO_TRANSFER,
  'prepare: the first call sends the prepared microphone': { ...ALL_PASS, sendbird: { unsupported: 'preparedMicrophone' } },
  'prepare: release() and the bound stop the microphone': ALL_PASS,
};

/**
 * A provider's column: the pinned one for a built-in provider; for another provider (a module
 * given to the suite) what its target pins, else every cell `pass` and no capability declared away.
 */
export function expectedColumn(provider: string, own?: { lacks?: ProviderExpectation['lacks']; cells?: Partial<Record<ScenarioName, ExpectedCell>>; getStatsWaiver?: Citation }): {
  expectation: ProviderExpectation;
  cell(scenario: ScenarioName): ExpectedCell;
} {
  const builtIn = PROVIDER_EXPECTATIONS[provider];
  const expectation: ProviderExpectation = builtIn ?? { lacks: own?.lacks ?? {}, ...(own?.getStatsWaiver ? { getStatsWaiver: own.getStatsWaiver } : {}) };
  return {
    expectation,
    cell: (scenario) => (builtIn ? EXPECTED_MATRIX[scenario][provider] : own?.cells?.[scenario]) ?? 'pass',
  };
}

/** One line for a cell, as MATRIX.md prints it. */
export const describeExpected = (cell: ExpectedCell) => (cell === 'pass' ? 'pass' : `unsupported (capabilities.${cell.unsupported} false)`);
