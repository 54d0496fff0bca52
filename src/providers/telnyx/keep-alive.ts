/**
 * Notices a Telnyx connection that is dead but not closed (issue 15, item 3). A frozen server or a
 * path that drops every packet leaves the WebSocket open. @telnyx/webrtc 2.27.10 sends its own
 * ping only after 35 s without one from the server, and its health probe only after 20 s of
 * inbound silence; neither is configurable. So every `intervalMs` a `telnyx_rtc.ping` goes out
 * through the SDK's own request path (the request the SDK itself sends for a ping); one still
 * unanswered at the next tick means the connection is dead. Worst case from the last answer to the
 * verdict: 2 × intervalMs.
 *
 * While the session is being restored, the SDK has no bound of its own on opening a socket or on
 * the login that follows: a reconnection to a black hole would wait forever without ever counting
 * as a failed attempt. An attempt still not logged in after a whole tick is dropped, so the SDK
 * counts it and either tries again or gives up (45003) after its `maxReconnectAttempts`.
 */
import { dropSocket, isServerAnswer, sendPing, socketOf, type QuirkyClient } from './quirks.js';

export interface KeepAliveHooks {
  /** Where the session stands: pings while `ready`, watches the reconnection while `lost`. */
  phase(): string;
  /** The server stopped answering on a socket that is still open. */
  onDead(why: string): void;
}

export class KeepAlive {
  private interval: ReturnType<typeof setInterval> | undefined;
  /** The ping sent at the previous tick, until it is answered. */
  private outstanding: { generation: number } | undefined;
  /** The reconnection socket seen at the previous tick while the session was lost. */
  private attempt: number | undefined;

  constructor(
    private readonly client: QuirkyClient,
    private readonly intervalMs: number,
    private readonly hooks: KeepAliveHooks,
  ) {}

  start(): void {
    if (this.intervalMs <= 0 || this.interval) return;
    this.interval = setInterval(() => this.tick(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.interval);
    this.interval = undefined;
    this.outstanding = undefined;
    this.attempt = undefined;
  }

  private tick(): void {
    const phase = this.hooks.phase();
    if (phase === 'ready') {
      this.attempt = undefined;
      this.probe();
    } else if (phase === 'lost') {
      this.outstanding = undefined;
      this.watchReconnection();
    }
  }

  private probe(): void {
    const socket = socketOf(this.client);
    const unanswered = this.outstanding;
    this.outstanding = undefined;
    // A ping sent on a socket since replaced (dropped and reconnected between two ticks) proves nothing.
    if (unanswered && socket?.open && unanswered.generation === socket.generation) {
      this.hooks.onDead(`a keep-alive telnyx_rtc.ping got no answer within ${this.intervalMs} ms`);
      return;
    }
    // A socket that is not open is reported by the SDK's own close event.
    if (!socket?.open) return;
    const ping = { generation: socket.generation };
    this.outstanding = ping;
    const answered = () => {
      if (this.outstanding === ping) this.outstanding = undefined;
    };
    sendPing(this.client).then(answered, (error: unknown) => {
      // Any reply, even an error, proves the server alive; the SDK's own timeout does not.
      if (isServerAnswer(error)) answered();
    });
  }

  private watchReconnection(): void {
    const socket = socketOf(this.client);
    // No socket: the SDK is waiting out its backoff before the next attempt.
    if (!socket || !(socket.open || socket.opening)) {
      this.attempt = undefined;
      return;
    }
    if (this.attempt !== socket.generation) {
      this.attempt = socket.generation;
      return;
    }
    this.attempt = undefined;
    dropSocket(this.client);
  }
}
