/**
 * Transfer on a JsSIP session, mapped as the sipjs provider maps sip.js's (../sipjs/transfer.ts),
 * with the REFER subscription's meaning shared in ../sip/refer.ts:
 * - out: `session.refer(uri)` (blind) or `session.refer(uri, { replaces })` (attended); the
 *   outcome comes from the NOTIFYs JsSIP's ReferSubscriber hands over.
 * - in: JsSIP answers a REFER 202 by itself and emits `refer` on the session; the core decides,
 *   and `accept()` places the new call (JsSIP NOTIFYs the transferor of its progress). An INVITE
 *   with Replaces for one of our dialogs comes as `replaces` on the session it replaces; the new
 *   session takes the old call's place and JsSIP ends the old dialog once the new one is confirmed.
 * Cognigy's widget rejects both (SipSession.ts); polyphone follows them because a Cognigy voice
 * gateway transfers by REFER, and a Replaces INVITE only takes over a call already live here.
 */
import type { RTCSession } from 'jssip/lib/RTCSession.js';
import { VoiceError, type CallSink, type ProviderCall } from '../../core/provider-kit.js';
import { SIP_URI_MAX, headerTextProblem } from '../sip/header-text.js';
import { referNotSent, referProgress, referRefused, referTargetFailed, sipfragStatus } from '../sip/refer.js';
import type { JssipCall } from './call.js';
import { endReplacedWhenConfirmed } from './quirks.js';

const NAME = 'cognigy';

/** A transfer target in JsSIP's terms: the URI to refer to, and the dialog it replaces (attended). */
export interface ReferTarget {
  uri: string;
  replaces?: RTCSession;
}

type NotifyEvent = { request?: { body?: string } };
type RequestFailedEvent = { response?: { status_code?: number; reason_phrase?: string } | null; cause?: string };

/**
 * Sends REFER on `session` and resolves once a NOTIFY says the transfer target answered 2xx. A
 * refused REFER, a final NOTIFY of ≥ 300, or the call ending first rejects.
 */
export function refer(session: RTCSession, target: ReferTarget): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const events = session as unknown as { once(name: string, l: () => void): void; removeListener(name: string, l: () => void): void };
    const onEnd = () => reject(new VoiceError('CALL_FAILED', 'The call ended before the transfer target answered.', { provider: NAME }));
    const settle = (fn: () => void) => {
      events.removeListener('ended', onEnd);
      events.removeListener('failed', onEnd);
      fn();
    };
    const onNotify = (event: NotifyEvent) => {
      const line = sipfragStatus(event.request?.body);
      if (!line) return;
      const progress = referProgress(line.status);
      if (progress === 'transferred') settle(resolve);
      else if (progress === 'failed') settle(() => reject(referTargetFailed(NAME, line.status, line.reason)));
    };
    events.once('ended', onEnd);
    events.once('failed', onEnd);
    let sent: unknown;
    try {
      sent = session.refer(target.uri, {
        ...(target.replaces ? { replaces: target.replaces } : {}),
        eventHandlers: {
          requestFailed: (event: RequestFailedEvent) =>
            settle(() => reject(referRefused(NAME, event.response?.status_code ?? undefined, event.response?.reason_phrase ?? event.cause))),
          progress: onNotify,
          accepted: onNotify,
          failed: onNotify,
        },
      } as Parameters<RTCSession['refer']>[1]);
    } catch (error) {
      return settle(() => reject(error instanceof TypeError ? invalidTarget() : referNotSent(NAME, error)));
    }
    // JsSIP refers only from a confirmed dialog.
    if (sent === false) settle(() => reject(new VoiceError('INVALID_STATE', 'The call is not established: it cannot be transferred now.', { provider: NAME })));
  });
}

function invalidTarget(): VoiceError {
  return new VoiceError('INVALID_ARGUMENT', 'The transfer target is not a SIP URI, a user name or an established call.', { provider: NAME, details: { field: 'target' } });
}

/** What `transfer(target)` refers to: a URI or user completed by `complete`, or another call's far end with its dialog. */
export function referTargetOf(target: string | ProviderCall, complete: (target: string) => string, sessionOf: (call: ProviderCall) => RTCSession | undefined): ReferTarget {
  if (typeof target === 'string') {
    if (headerTextProblem(target, SIP_URI_MAX)) throw invalidTarget();
    return { uri: complete(target) };
  }
  const other = sessionOf(target);
  if (!other) throw invalidTarget();
  return { uri: other.remote_identity.uri.toString(), replaces: other };
}

/** JsSIP's `refer` event on a session: the REFER, already answered 202. */
export interface IncomingRefer {
  request: { refer_to?: { uri: { clone(): { clearHeaders(): void; toString(): string } } } };
  accept(initCallback: (session: RTCSession) => void, options: Record<string, unknown>): void;
  reject(): void;
}

/** The target of an incoming REFER as the app sees it: the Refer-To URI without its headers (Replaces). */
export function incomingReferTarget(event: IncomingRefer): string | undefined {
  const uri = event.request.refer_to?.uri.clone();
  if (!uri) return undefined;
  uri.clearHeaders();
  const text = uri.toString();
  return text.length <= SIP_URI_MAX ? text : undefined;
}

/** JsSIP's `replaces` event on a session: an INVITE with Replaces for its dialog, not yet answered. */
interface IncomingReplaces {
  accept(initCallback: (session: RTCSession) => void): void;
  reject(): void;
}

export interface TransferHooks {
  /** Makes a JsSIP session one of the provider's calls (ICE policy, listeners); `incoming`: its direction. */
  newCall(session: RTCSession, incoming: boolean, sink: CallSink): JssipCall;
  /** Announces an incoming call to the core (with `replaces`: the call it takes over). */
  incomingCall<C extends ProviderCall>(info: { from: string; displayName?: string; replaces?: ProviderCall }, create: (sink: CallSink) => C): C;
  /** A user name or URI as a SIP URI of the endpoint's domain. */
  complete(target: string): string;
  /** The headers every INVITE of this endpoint carries (X-Source and the rest). */
  inviteHeaders(): string[];
}

/** Each session's call, so that a REFER, an INVITE with Replaces and an attended transfer find theirs. */
export class CognigyTransfers {
  private readonly calls = new WeakMap<RTCSession, JssipCall>();

  constructor(private readonly hooks: TransferHooks) {}

  /** Whether `session` already is a call (a Replaces INVITE's session is made before JsSIP announces it). */
  has(session: RTCSession): boolean {
    return this.calls.has(session);
  }

  /** Follows `call`'s transfers both ways. */
  follow(call: JssipCall): void {
    this.calls.set(call.session, call);
    call.transferTarget = (target) => referTargetOf(target, this.hooks.complete, (other) => this.sessionOf(other));
    const session = call.session as unknown as { on(name: string, listener: (event: any) => void): void };
    session.on('refer', (event: IncomingRefer) => this.onRefer(call, event));
    session.on('replaces', (event: IncomingReplaces) => this.onReplaces(call, event));
  }

  /** The session of another call of this provider's (the dialog an attended transfer replaces). */
  private sessionOf(other: ProviderCall): RTCSession | undefined {
    const session = (other as { session?: RTCSession }).session;
    return session && this.calls.get(session) === other ? session : undefined;
  }

  /** The far end asks this side to call someone: the core decides, and places the call through `place`. */
  private onRefer(call: JssipCall, event: IncomingRefer): void {
    const target = incomingReferTarget(event);
    if (!target) return event.reject();
    // The new call uses the referring call's ICE servers.
    const iceServers = call.session.connection?.getConfiguration().iceServers ?? [];
    const options = { mediaConstraints: { audio: true, video: false }, pcConfig: { iceServers }, extraHeaders: this.hooks.inviteHeaders() };
    call.reportReferred(target, (sink) => Promise.resolve().then(() => this.place(event, options, sink)), () => event.reject());
  }

  private place(event: IncomingRefer, options: Record<string, unknown>, sink: CallSink): ProviderCall {
    let placed: JssipCall | undefined;
    try {
      event.accept((session) => {
        placed = this.hooks.newCall(session, false, sink);
      }, options);
    } catch (error) {
      throw error instanceof TypeError ? invalidTarget() : referNotSent(NAME, error);
    }
    // JsSIP places nothing once the referring dialog is gone.
    if (!placed) throw new VoiceError('CALL_FAILED', 'The referred call could not be placed: the call that asked for it has ended.', { provider: NAME });
    return placed;
  }

  /**
   * An INVITE with Replaces for `old`'s dialog (the far end of an attended transfer): the new call
   * is announced with `replaces`, so the core puts it in `old`'s place and answers it (RFC 3891);
   * JsSIP ends `old` once the new dialog is confirmed, and `old` ends `transferred`.
   */
  private onReplaces(old: JssipCall, event: IncomingReplaces): void {
    let taken = false;
    event.accept((session) => {
      taken = true;
      endReplacedWhenConfirmed(session, old.session);
      old.markReplaced();
      const identity = session.remote_identity;
      this.hooks.incomingCall({ from: identity.uri.toString(), displayName: identity.display_name || undefined, replaces: old }, (sink) => this.hooks.newCall(session, true, sink));
    });
    // JsSIP takes over only a confirmed dialog; any other is answered 486.
    if (!taken) event.reject();
  }
}
