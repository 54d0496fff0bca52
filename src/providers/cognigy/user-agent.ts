import type { UA, UAConfiguration } from 'jssip/lib/UA.js';
import type { WebSocketInterface } from 'jssip';
import { VoiceError } from '../../core/provider-kit.js';
import type { CognigyEndpointConfig } from './config-schema.js';
import { capText } from './fetch-config.js';

export type JsSipModule = typeof import('jssip');

const NAME = 'cognigy';
const REGISTER_EXPIRES_S = 600;
// JsSIP's own recovery waits between tries, in seconds (its default max of 30 s would let a client
// sit in `reconnecting` for minutes before the core's `reconnect.attempts` bound applies).
const RECOVERY_MIN_S = 2;
const RECOVERY_MAX_S = 8;

/**
 * JsSIP logs every SIP message through `debug` when the app's DEBUG/localStorage.debug matches
 * "JsSIP"; polyphone's own log (context.sink.log) says what matters, so JsSIP is silenced.
 */
export function quietJssip(jssip: JsSipModule): void {
  const debug = jssip.debug as unknown as { enabled(ns: string): boolean; disable(): string; enable(ns: string): void };
  if (!debug.enabled('JsSIP') && !debug.enabled('JsSIP:WARN') && !debug.enabled('JsSIP:ERROR')) return;
  const namespaces = debug.disable();
  debug.enable(`${namespaces},-JsSIP*`);
}

/**
 * The visitor's JsSIP user agent: with the endpoint's shared digest user and REGISTER (legacy),
 * or without credentials and without REGISTER (runtime). Cognigy's SDK leaves everything else at
 * JsSIP's defaults; polyphone turns session timers off and bounds the reconnection waits.
 */
export function newUserAgent(jssip: JsSipModule, config: CognigyEndpointConfig, aor: string): { ua: UA; socket: WebSocketInterface } {
  try {
    const socket = new jssip.WebSocketInterface(config.wsUri);
    const common = {
      sockets: [socket],
      uri: aor,
      session_timers: false,
      user_agent: 'polyphone-cognigy',
      connection_recovery_min_interval: RECOVERY_MIN_S,
      connection_recovery_max_interval: RECOVERY_MAX_S,
    };
    const configuration: UAConfiguration & Record<string, unknown> =
      config.kind === 'legacy'
        ? { ...common, authorization_user: config.username, password: config.password, register: true, register_expires: REGISTER_EXPIRES_S }
        : { ...common, register: false };
    return { ua: new jssip.UA(configuration), socket };
  } catch (error) {
    // JsSIP's ConfigurationError quotes the offending value (which may be the password): name only.
    const parameter = (error as { parameter?: unknown }).parameter;
    throw new VoiceError('PROTOCOL_ERROR', 'The SIP configuration from the Cognigy endpoint was refused by JsSIP.', {
      provider: NAME,
      cause: { name: capText(String((error as { name?: string }).name ?? 'Error'), 60), ...(typeof parameter === 'string' ? { code: capText(parameter, 60) } : {}) },
    });
  }
}
