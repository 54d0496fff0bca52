/**
 * How sip.js sends the keep-alive OPTIONS of the shared SIP keep-alive (../sip/keep-alive.ts):
 * through its UserAgentCore, out of any dialog, to the server itself.
 */
import type { UserAgent } from 'sip.js';
import type { SendOptionsPing } from '../sip/keep-alive.js';

type SipModule = typeof import('sip.js');

/** `serverUri` is the server's own address, e.g. sip:example.com. */
export function sipjsOptionsPing(sip: SipModule, ua: UserAgent, serverUri: string): SendOptionsPing {
  return (answered) => {
    if (!ua.isConnected()) return false;
    const target = sip.UserAgent.makeURI(serverUri);
    if (!target) return false;
    const core = ua.userAgentCore;
    const message = core.makeOutgoingRequestMessage('OPTIONS', target, ua.configuration.uri, target, {});
    core.request(message, { onAccept: answered, onReject: answered, onRedirect: answered, onProgress: answered, onTrying: answered });
    return true;
  };
}
