/**
 * sip.js's failures as polyphone outcomes. SIP statuses go through the shared tables
 * (../sip/status.ts); what is sip.js's own is how it hands a response over (status and reason
 * phrase of an IncomingResponse), named `SIPResponse` in the error's cause.
 */
import type { CallEndReason, VoiceError } from '../../core/provider-kit.js';
import { inviteFailure as sipInviteFailure, registerFailure as sipRegisterFailure } from '../sip/status.js';

const NAME = 'sipjs';

function responseCause(status: number, reason: string) {
  return { name: 'SIPResponse', message: `${status} ${reason}` };
}

/** A final SIP response to REGISTER, as a polyphone error. */
export function registerFailure(status: number, reason: string): VoiceError {
  return sipRegisterFailure(NAME, status, responseCause(status, reason));
}

/** A final SIP response to INVITE, as the reason the call ended (and an error where it failed). */
export function inviteFailure(status: number, reason: string): { reason: CallEndReason; error?: VoiceError } {
  return sipInviteFailure(NAME, status, responseCause(status, reason));
}
