/**
 * Notices a SIP connection that is dead but not closed, for every SIP provider (sipjs, cognigy).
 * A server frozen or a path that drops every packet leaves the WebSocket open (the kernel ACKs,
 * nobody answers), and neither sip.js's CRLF keep-alive nor JsSIP checks for an answer. So every
 * `intervalMs` an OPTIONS goes to the server itself (Kamailio and most SIP servers answer it; any
 * answer, even an error, proves the server alive); one unanswered for `intervalMs` means the
 * connection is dead. Worst case from the last answer to the verdict: 2 × intervalMs.
 *
 * The SIP library is reached only through `send`: each provider's keep-alive.ts says how its
 * library sends an out-of-dialog OPTIONS and hears its answer.
 */
import { configInvalid, optionInteger } from '../../core/provider-kit.js';

/** Default interval: a dead connection is noticed within 30 s. */
export const KEEP_ALIVE_DEFAULT_MS = 15_000;
const KEEP_ALIVE_MIN_MS = 1_000;
const KEEP_ALIVE_MAX_MS = 600_000;

/**
 * Sends one OPTIONS to the server and calls `answered` on any answer to it (or when the library
 * itself gave up on the request, since the library then reports the loss itself). Returns false
 * when nothing could be sent now (the transport is not up): no verdict is drawn from that tick.
 */
export type SendOptionsPing = (answered: () => void) => boolean;

/**
 * `keepAliveIntervalMs`, the same option and meaning for every SIP provider: while connected, an
 * OPTIONS to the server every this many ms; one unanswered for as long means the connection is
 * dead, and the client goes `reconnecting`, then back to `connected` or, after the reconnection
 * tries, `disconnected` with NETWORK_UNREACHABLE. Noticed within 2 × keepAliveIntervalMs
 * (default 15 000: 30 s). 0 turns it off; 1 000 … 600 000 otherwise.
 */
export function parseKeepAliveInterval(params: Record<string, unknown>): number {
  const ms = optionInteger(params, 'keepAliveIntervalMs', KEEP_ALIVE_DEFAULT_MS, 0, KEEP_ALIVE_MAX_MS);
  if (ms !== 0 && ms < KEEP_ALIVE_MIN_MS) {
    throw configInvalid('keepAliveIntervalMs', `The option "keepAliveIntervalMs" must be 0 (off) or from ${KEEP_ALIVE_MIN_MS} to ${KEEP_ALIVE_MAX_MS}.`);
  }
  return ms;
}

export class KeepAlive {
  private interval: ReturnType<typeof setInterval> | undefined;
  private outstanding: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly send: SendOptionsPing,
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
    if (this.outstanding || this.paused()) return;
    const answered = () => {
      clearTimeout(this.outstanding);
      this.outstanding = undefined;
    };
    this.outstanding = setTimeout(() => {
      this.outstanding = undefined;
      if (!this.paused() && this.interval) this.onDead(`a keep-alive OPTIONS got no answer within ${this.intervalMs} ms`);
    }, this.intervalMs);
    let sent = false;
    try {
      sent = this.send(answered);
    } catch {
      // Not sendable (the transport went down meanwhile): the library reports the disconnect.
    }
    if (!sent) answered();
  }
}
