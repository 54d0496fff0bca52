/**
 * Requests inside one sip.js call's dialog that wait for their answer: a re-INVITE (hold, unhold,
 * ICE restart) and one DTMF digit by SIP INFO; and what an incoming re-INVITE's SDP says of hold.
 */
import type { Session } from 'sip.js';
import { VoiceError, describeCause } from '../../core/provider-kit.js';
import { dtmfRelayBody } from '../sip/dtmf.js';

const NAME = 'sipjs';

type Response = { message: { statusCode?: number; reasonPhrase?: string } };

function refused(what: string, response: Response): VoiceError {
  return new VoiceError('CALL_FAILED', `The far end refused the ${what} (${response.message.statusCode}).`, {
    provider: NAME,
    cause: { name: 'SIPResponse', code: response.message.statusCode, message: response.message.reasonPhrase },
  });
}

/** A direction attribute of an SDP that puts this side on hold. */
export function sdpHolds(sdp: string | undefined): boolean | undefined {
  if (!sdp) return undefined;
  const audio = sdp.split(/\r?\nm=/).find((section) => section.startsWith('audio') || section.includes('m=audio'));
  const text = audio ?? sdp;
  if (/a=(sendonly|inactive)/.test(text)) return true;
  if (/a=(sendrecv|recvonly)/.test(text)) return false;
  return undefined;
}

/** Sends one digit by SIP INFO and waits for its answer, so digits arrive in the order typed. */
export function sendInfoDigit(session: Session, digit: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    session
      .info({
        requestDelegate: { onAccept: () => resolve(), onReject: (response) => reject(refused('DTMF digit', response)) },
        requestOptions: { body: { contentDisposition: 'render', contentType: 'application/dtmf-relay', content: dtmfRelayBody(digit) } },
      })
      .catch((error: unknown) => reject(new VoiceError('CALL_FAILED', 'The DTMF digit could not be sent.', { provider: NAME, cause: describeCause(error) })));
  });
}

/** A re-INVITE that holds (sendonly) or resumes, optionally with a fresh ICE offer; resolves on its 2xx. */
export function reinvite(session: Session, hold: boolean, offerOptions?: RTCOfferOptions): Promise<void> {
  const what = hold ? 'hold' : 'unhold';
  session.sessionDescriptionHandlerOptionsReInvite = { hold, ...(offerOptions ? { offerOptions } : {}) } as object;
  return new Promise<void>((resolve, reject) => {
    session
      .invite({ requestDelegate: { onAccept: () => resolve(), onReject: (response) => reject(refused(what, response)) } })
      .catch((error: unknown) => reject(new VoiceError('CALL_FAILED', `The ${what} could not be sent.`, { provider: NAME, cause: describeCause(error) })));
  });
}
