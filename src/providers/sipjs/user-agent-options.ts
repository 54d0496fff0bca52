import type { Invitation, Session, UserAgentOptions, Web } from 'sip.js';
import { DEFAULT_ICE_POLICY, type IcePolicy } from '../../core/ice-policy.js';
import { icePolicyDelegate } from '../../core/ice-gate.js';
import type { Credentials, ProviderCallOptions } from '../../core/provider-kit.js';
import { DISPLAY_NAME_MAX, quotedStringContent } from '../sip/header-text.js';
import type { SipjsOptions } from './options.js';

type SipModule = typeof import('sip.js');

// Seconds sip.js waits for the WebSocket to open before it gives up on one attempt.
const CONNECTION_TIMEOUT_S = 5;

export interface UserAgentHooks {
  /** sip.js's own log lines (its configuration dump among them). */
  log(message: string): void;
  iceServersFor(session: Session): RTCIceServer[] | undefined;
  icePolicy?: IcePolicy;
  onInvite(invitation: Invitation): void;
  onDisconnect(error?: Error): void;
}

/** sip.js's SDH options of a call that sends a microphone the core opened ahead (`client.prepare()`). */
interface PreparedStreamOptions {
  preparedStream?: MediaStream;
}

/** The SDH options of a call placed or answered: its microphone, or the one prepared for it. */
export function callMediaOptions(options: ProviderCallOptions): object {
  const prepared: PreparedStreamOptions = options.stream ? { preparedStream: options.stream } : {};
  return { constraints: { audio: options.audio ?? true, video: false }, ...prepared };
}

/**
 * sip.js hands a session's SDH options to its MediaStreamFactory: a call given a prepared
 * microphone sends it (while live); any other, and a later re-INVITE whose constraints changed,
 * gets sip.js's own getUserMedia.
 */
function preparedOrOwnStream(sip: SipModule): Web.MediaStreamFactory {
  const own = sip.Web.defaultMediaStreamFactory();
  return (constraints, sdh, sdhOptions) => {
    const prepared = (sdhOptions as PreparedStreamOptions | undefined)?.preparedStream;
    const live = prepared?.getAudioTracks().some((track) => track.readyState === 'live');
    return live ? Promise.resolve(prepared!) : own(constraints, sdh, sdhOptions);
  };
}

/** The sip.js UserAgent configuration of one connection. */
export function userAgentOptions(sip: SipModule, options: SipjsOptions, credentials: Credentials | undefined, hooks: UserAgentHooks): UserAgentOptions {
  const authenticated = credentials?.type === 'password' ? credentials : undefined;
  const base = sip.Web.defaultSessionDescriptionHandlerFactory(preparedOrOwnStream(sip));
  const ua: UserAgentOptions = {
    transportOptions: { server: options.server, connectionTimeout: CONNECTION_TIMEOUT_S },
    logBuiltinEnabled: false,
    logLevel: 'warn',
    // The vendor's lines, not polyphone's events: the provider hands them on at debug only, and the
    // core's redactor masks them like every log line.
    logConnector: (level, category, _label, content) => hooks.log(`${category} [${level}]: ${content}`),
    // sip.js's own reconnection (off by default; the option is deprecated and would log a warning
    // per client) never re-registers afterwards, so the provider carries out each try itself, when
    // the core's reconnection policy says (session.ts reconnect()).
    sessionDescriptionHandlerFactory: (session, factoryOptions) => {
      const given = (factoryOptions ?? {}) as { peerConnectionConfiguration?: RTCConfiguration };
      const iceServers = hooks.iceServersFor(session);
      const peerConnectionConfiguration = { ...given.peerConnectionConfiguration, ...(iceServers ? { iceServers } : {}) };
      // The core's ICE policy says when the description may go before gathering ends; sip.js's own
      // timeout is its cap (the older iceGatheringTimeoutMs option still lowers it).
      const policy = hooks.icePolicy ?? DEFAULT_ICE_POLICY;
      const sdh = base(session, { ...given, peerConnectionConfiguration, iceGatheringTimeout: Math.min(options.iceGatheringTimeoutMs, policy.capMs) }) as Web.SessionDescriptionHandler;
      sdh.peerConnectionDelegate = icePolicyDelegate(policy, () => sdh.iceGatheringComplete());
      return sdh;
    },
    // An INVITE with Replaces (attended transfer) is matched to the dialog it replaces.
    sipExtensionReplaces: sip.SIPExtension.Supported,
    delegate: {
      onInvite: (invitation) => hooks.onInvite(invitation),
      onDisconnect: (error) => hooks.onDisconnect(error),
    },
  };
  // sip.js writes the name between quotes as it is: a quote or backslash must arrive escaped.
  if (options.displayName) ua.displayName = quotedStringContent(options.displayName.slice(0, DISPLAY_NAME_MAX));
  if (authenticated) {
    ua.uri = sip.UserAgent.makeURI(options.uri!);
    ua.authorizationUsername = options.authorizationUsername ?? authenticated.username ?? ua.uri?.user;
    ua.authorizationPassword = authenticated.password;
  }
  return ua;
}
