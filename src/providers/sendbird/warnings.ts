/**
 * Settings the app gives that sendbird-calls cannot honour, said out loud instead of dropped.
 * The core has no `warning` event (yet): each goes to the client's logger at `warn`, with
 * `data.warning` a stable name an app can match on.
 */
import type { ProviderSink } from '../../core/provider-kit.js';

export const ICE_SERVERS_IGNORED = 'iceServersIgnored';

/**
 * sendbird-calls builds every RTCPeerConnection from the TURN credential its server sends with the
 * call (`turn_credential`); nothing of the app's reaches it. `where`: the client config, or one call.
 */
export function warnIgnoredIceServers(sink: Pick<ProviderSink, 'log'>, iceServers: RTCIceServer[] | undefined, where: 'client' | 'call'): void {
  if (iceServers === undefined) return;
  sink.log('warn', `iceServers (${where === 'client' ? 'client config' : 'this call'}) are ignored: sendbird-calls uses only the TURN servers Sendbird sends with each call.`, {
    warning: ICE_SERVERS_IGNORED,
    setting: 'iceServers',
  });
}
