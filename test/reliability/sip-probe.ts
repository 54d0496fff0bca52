// A second, independent SIP party for reliability tests: a raw sip.js anonymous UserAgent that
// sends an INVITE to a user and reports how the server answered. It is how a test proves from the
// server's side that a binding exists (a registered user gets the INVITE; an unknown one is 404).
// Only media is stubbed (Node has no WebRTC): Kamailio relays SDP without reading it.
import { Inviter, UserAgent, type SessionDescriptionHandler } from 'sip.js';

const FIXED_SDP = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 9 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', ''].join('\r\n');

const fixedSdpHandler = (): SessionDescriptionHandler => ({
  close: () => undefined,
  getDescription: async () => ({ body: FIXED_SDP, contentType: 'application/sdp' }),
  hasDescription: (contentType: string) => contentType === 'application/sdp',
  setDescription: async () => undefined,
  sendDtmf: () => false,
});

export interface InviteOutcome {
  /** The first final status (≥ 200) the caller saw, or undefined when none came in time. */
  finalStatus: number | undefined;
  /** Every status code seen, in order. */
  statuses: number[];
}

/**
 * Calls `sip:<user>@<domain>` once from an anonymous UA. `onRinging` runs when the first
 * provisional reply above 100 arrives; the callee side is expected to answer it with a final
 * status (the test rejects the call), which ends the probe. Bounded by `timeoutMs`.
 */
export async function probeInvite(wsUrl: string, user: string, domain: string, timeoutMs = 5_000): Promise<InviteOutcome> {
  const ua = new UserAgent({
    transportOptions: { server: wsUrl },
    logBuiltinEnabled: false,
    sessionDescriptionHandlerFactory: () => fixedSdpHandler(),
  });
  const statuses: number[] = [];
  await ua.start();
  try {
    const target = UserAgent.makeURI(`sip:${user}@${domain}`)!;
    const inviter = new Inviter(ua, target);
    const final = new Promise<number | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      const done = (status: number) => {
        clearTimeout(timer);
        resolve(status);
      };
      void inviter
        .invite({
          requestDelegate: {
            onProgress: (r) => statuses.push(r.message.statusCode ?? -1),
            onAccept: (r) => {
              statuses.push(r.message.statusCode ?? -1);
              done(r.message.statusCode ?? -1);
            },
            onReject: (r) => {
              statuses.push(r.message.statusCode ?? -1);
              done(r.message.statusCode ?? -1);
            },
          },
        })
        .catch(() => done(-1));
    });
    const finalStatus = await final;
    if (finalStatus === undefined) await inviter.cancel().catch(() => {});
    else if (finalStatus >= 200 && finalStatus < 300) await inviter.bye().catch(() => {});
    return { finalStatus, statuses };
  } finally {
    await ua.stop().catch(() => {});
  }
}
