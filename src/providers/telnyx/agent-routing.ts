import type { AgentCapabilities } from '../../core/provider-kit.js';
import type { TelnyxCall } from './call.js';

/** A Telnyx session talks to an AI assistant only through anonymous_login. */
export function agentCapabilities(assistant: boolean): Required<AgentCapabilities> {
  return { agentTranscript: assistant, agentText: assistant, agentTools: assistant };
}

const LIVE = new Set(['new', 'requesting', 'trying', 'recovering', 'ringing', 'answering', 'early', 'active', 'held']);

/**
 * The call an `ai_conversation` frame is about. 2.27 hands the frame on without a call id (the
 * session has one call with its assistant), so it goes to the newest call still alive.
 */
export function agentCallOf(calls: ReadonlyMap<string, TelnyxCall>): TelnyxCall | undefined {
  let found: TelnyxCall | undefined;
  for (const call of calls.values()) if (LIVE.has(call.sdkCall.state)) found = call;
  return found;
}
