/**
 * Notices a SIP connection that is dead but not closed. A server frozen or a path that drops every
 * packet leaves the WebSocket open (the kernel ACKs, nobody answers), and sip.js's CRLF
 * keep-alive never checks for an answer. So every `intervalMs` an OPTIONS goes to the server
 * itself (Kamailio and most SIP servers answer it; any answer, even an error, proves the server
 * alive); one unanswered for `intervalMs` means the connection is dead. Worst case from the last
 * answer to the verdict: 2 × intervalMs.
 */
import type { UserAgent } from 'sip.js';

type SipModule = typeof import('sip.js');

export class KeepAlive {
  private interval: ReturnType<typeof setInterval> | undefined;
  private outstanding: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly sip: SipModule,
    private readonly ua: UserAgent,
    /** The server's own address, e.g. sip:example.com. */
    private readonly serverUri: string,
    private readonly intervalMs: number,
    /** While true (a reconnection runs), no ping goes out and none is judged. */
    private readonly paused: () => boolean,
    private readonly onDead: (why: string) => void,
  ) {}

  start(): void {
    if (this.intervalMs <= 0 || this.interval) return;
    this.interval = setInterval(() => this.ping(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.interval);
    clearTimeout(this.outstanding);
    this.interval = undefined;
    this.outstanding = undefined;
  }

  private ping(): void {
    if (this.outstanding || this.paused() || !this.ua.isConnected()) return;
    const target = this.sip.UserAgent.makeURI(this.serverUri);
    if (!target) return;
    const core = this.ua.userAgentCore;
    const answered = () => {
      clearTimeout(this.outstanding);
      this.outstanding = undefined;
    };
    this.outstanding = setTimeout(() => {
      this.outstanding = undefined;
      if (!this.paused() && this.interval) this.onDead(`a keep-alive OPTIONS got no answer within ${this.intervalMs} ms`);
    }, this.intervalMs);
    try {
      const message = core.makeOutgoingRequestMessage('OPTIONS', target, this.ua.configuration.uri, target, {});
      core.request(message, { onAccept: answered, onReject: answered, onRedirect: answered, onProgress: answered, onTrying: answered });
    } catch {
      // Not sendable (the transport went down meanwhile): the disconnect is reported by sip.js.
      answered();
    }
  }
}
