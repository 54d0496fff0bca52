import type { DefaultCall as Call } from './call.js';
import type { CallSink, ProviderCall, ProviderCapabilities } from './contract.js';
import { VoiceError, describeCause, isVoiceError } from './errors.js';
import type { CallState } from './events.js';

/**
 * What another live call's state means for a call about to open its microphone (placed,
 * answered or taken off hold): nothing, hold it first, or refuse (its media is being set up and
 * would open a second microphone behind the app's back).
 */
const OTHER_CALL_RULE: Record<CallState, 'ignore' | 'hold' | 'refuse'> = {
  new: 'refuse',
  connecting: 'refuse',
  ringing: 'ignore',
  active: 'hold',
  held: 'ignore',
  // Its media is being restored (an ICE restart re-INVITE may be in flight): it cannot be held
  // now, and its microphone is open.
  reconnecting: 'refuse',
  ended: 'ignore',
};

/**
 * The client's live calls and the rules of having several: how many may be live (`maxCalls`,
 * honoured only where the provider says `multipleCalls`), and that at most one of them has an
 * open microphone: before one opens, every other active call is put on hold.
 */
export class CallRegistry {
  private live: Call[] = [];

  constructor(
    private readonly maxCalls: number,
    private readonly capabilities: () => ProviderCapabilities,
    private readonly provider: () => string,
    private readonly changed: (calls: readonly Call[]) => void,
  ) {}

  /** The live calls, oldest first; a new array after every change (safe to keep as a snapshot). */
  list(): readonly Call[] {
    return this.live;
  }

  /** The call that opened last and is still live. */
  latest(): Call | undefined {
    return this.live[this.live.length - 1];
  }

  /** How many calls may be live at once with this provider. */
  limit(): number {
    return this.capabilities().multipleCalls === true ? this.maxCalls : 1;
  }

  hasRoom(): boolean {
    return this.live.length < this.limit();
  }

  add(call: Call): void {
    this.live = [...this.live, call];
    this.changed(this.live);
  }

  /** `replacement` takes `old`'s place in the list (a call that came of a transfer). */
  replace(old: Call, replacement: Call): void {
    const index = this.live.indexOf(old);
    if (index === -1) return this.add(replacement);
    this.live = this.live.map((c) => (c === old ? replacement : c));
    this.changed(this.live);
  }

  remove(call: Call): void {
    if (!this.live.includes(call)) return;
    this.live = this.live.filter((c) => c !== call);
    this.changed(this.live);
  }

  /** Throws INVALID_STATE unless one more call may be placed. */
  checkRoom(operation: string): void {
    if (this.hasRoom()) return;
    const limit = this.limit();
    throw new VoiceError(
      'INVALID_STATE',
      `Cannot ${operation}: ${this.live.length} call(s) in progress and ${limit === 1 && this.maxCalls > 1 ? `the ${this.provider()} provider has one call at a time` : `maxCalls is ${limit}`}.`,
      { provider: this.provider(), details: { operation, calls: this.live.length, maxCalls: limit } },
    );
  }

  /**
   * Before `opening` (or a call not yet created) opens its microphone: puts every other active
   * call on hold, one after the other. Refuses with INVALID_STATE, holding nothing, where an
   * active call cannot be held or another call's media is still being set up.
   */
  async holdOthers(opening: Call | undefined, operation: string): Promise<void> {
    const others = this.live.filter((c) => c !== opening);
    const refused = others.find((c) => OTHER_CALL_RULE[c.state] === 'refuse');
    if (refused) throw this.busy(operation, `call #${refused.id} is still being set up (${refused.state})`);
    const toHold = others.filter((c) => OTHER_CALL_RULE[c.state] === 'hold');
    if (toHold.length > 0 && !this.capabilities().hold) throw this.busy(operation, `the ${this.provider()} provider cannot hold the call in progress`);
    for (const call of toHold) await call.hold();
  }

  private busy(operation: string, why: string): VoiceError {
    return new VoiceError('INVALID_STATE', `Cannot ${operation} while ${why}.`, { provider: this.provider(), details: { operation, calls: this.live.length } });
  }
}

/**
 * The far end of `old` asked this side to call `target` (REFER): a new outgoing call takes `old`'s
 * place in the list (`create` does that) and is placed by the provider; `old` ends `transferred`
 * when the transferor hangs up, or once the new call is established.
 */
export function followReferral(
  old: Call,
  target: string,
  place: (sink: CallSink) => Promise<ProviderCall>,
  list: { create(peer: string): Call; restore(failed: Call): void },
  provider: string,
): void {
  const call = list.create(target);
  call.start('connecting');
  let established = false;
  call.on('active', () => {
    established = true;
    void old.terminate('transferred');
  });
  // The target never answered: the old call is still there, and back in the list.
  call.on('ended', () => {
    if (established || old.state === 'ended') return;
    old.referralFailed();
    list.restore(call);
  });
  call.placing(place).catch(
    (error: unknown) =>
      call.end('failed', isVoiceError(error) ? error : new VoiceError('CALL_FAILED', 'The referred call could not be placed.', { provider, cause: describeCause(error) })),
  );
}

/**
 * An INVITE with Replaces for one of this client's calls (the far end of an attended transfer):
 * the new call takes the old one's place and is answered at once, as RFC 3891 has it; the vendor
 * ends the replaced dialog.
 */
export function takeOverReplaced<C extends ProviderCall>(call: Call, create: (sink: CallSink) => C): C {
  call.start('ringing');
  const providerCall = create(call.sink());
  call.attach(providerCall);
  queueMicrotask(() => void call.answer().catch(() => {}));
  return providerCall;
}

/** The sink of a call nobody follows (one refused busy): its reports go nowhere. */
export const IGNORED_CALL_SINK: CallSink = { ringing() {}, active() {}, remoteStream() {}, held() {}, unheld() {}, dtmf() {}, ended() {}, error() {} };
