// Type tests of the public surface, checked by tsc (test/types/typecheck.test.ts): the Call an
// app holds is an interface without the core's wiring. Each @ts-expect-error must be needed.
import { expectTypeOf } from 'vitest';
import type { Call, CallState, VoiceClient, VoiceErrorCode } from '../../src/index.js';
import * as polyphone from '../../src/index.js';

export function publicSurface(client: VoiceClient, call: Call): void {
  // @ts-expect-error attach is the core's, not the app's
  call.attach;
  // @ts-expect-error the provider's sink is the core's
  call.sink;
  // @ts-expect-error end() is the core's: the app hangs up
  call.end;
  // @ts-expect-error terminate() is the core's ring timer
  call.terminate;
  // @ts-expect-error Call is a type, not a class an app could construct or test with instanceof
  polyphone.Call;
  expectTypeOf(call.state).toEqualTypeOf<CallState>();
  expectTypeOf(call.hangup).returns.toEqualTypeOf<Promise<void>>();
  expectTypeOf(client.currentCall).toEqualTypeOf<Call | undefined>();
  expectTypeOf(polyphone.VOICE_ERRORS.TIMEOUT.action).toBeString();
  expectTypeOf<'CALL_FAILED'>().toExtend<VoiceErrorCode>();
  // @ts-expect-error a code not in the table
  expectTypeOf<'NOT_A_CODE'>().toExtend<VoiceErrorCode>();
}
