/**
 * How JsSIP sends the keep-alive OPTIONS of the shared SIP keep-alive (../sip/keep-alive.ts):
 * `UA.sendOptions(target, body, { eventHandlers })`, JsSIP's own out-of-dialog OPTIONS (public in
 * JsSIP 3.x, though missing from its .d.ts: typed here, pinned in quirks.test.ts).
 */
import type { UA } from 'jssip/lib/UA.js';
import type { SendOptionsPing } from '../sip/keep-alive.js';

interface OptionsOutcome {
  /** 'remote': the server answered (any status); 'system': JsSIP gave up (timeout, transport). */
  originator: 'remote' | 'system' | 'local';
}

export interface JssipOptionsSender {
  sendOptions(target: string, body: string | null, options: { eventHandlers: { succeeded(e: OptionsOutcome): void; failed(e: OptionsOutcome): void } }): unknown;
}

/** `serverUri` is the server's own address, e.g. sip:cognigy.example.com. */
export function jssipOptionsPing(ua: UA, serverUri: string): SendOptionsPing {
  return (answered) => {
    if (!ua.isConnected()) return false;
    // A 'system' failure (the transport closed under the request) is no verdict either: JsSIP
    // reports the disconnect itself.
    (ua as unknown as JssipOptionsSender).sendOptions(serverUri, null, { eventHandlers: { succeeded: answered, failed: answered } });
    return true;
  };
}
