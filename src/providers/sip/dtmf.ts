/**
 * DTMF over SIP, the same for every SIP provider: which transport (`dtmfTransport`), the tone and
 * gap of sent digits, and the SIP INFO `application/dtmf-relay` body (the de-facto format Voice
 * Gateway, Asterisk and FreeSWITCH read: `Signal=5`, `Duration=100`).
 */
import { configInvalid, optionString } from '../../core/provider-kit.js';

/** RFC 4733 through the media (RTCDTMFSender), or SIP INFO `application/dtmf-relay`. */
export type DtmfTransport = 'rfc4733' | 'info';

/** Length of one sent tone and the gap after it, in ms. */
export const DTMF_TONE_MS = 100;
export const DTMF_GAP_MS = 70;

/** `dtmfTransport`, with the provider's default. */
export function parseDtmfTransport(params: Record<string, unknown>, fallback: DtmfTransport): DtmfTransport {
  const value = optionString(params, 'dtmfTransport') ?? fallback;
  if (value !== 'rfc4733' && value !== 'info') throw configInvalid('dtmfTransport', 'The option "dtmfTransport" must be "rfc4733" or "info".');
  return value;
}

/** The digits to send as tones: a comma (a pause on RFC 4733) has no meaning in SIP INFO. */
export function infoDigits(digits: string): string {
  return digits.replace(/,/g, '');
}

/** The body of one SIP INFO carrying `digit`. */
export function dtmfRelayBody(digit: string): string {
  return `Signal=${digit}\r\nDuration=${DTMF_TONE_MS}`;
}

const DTMF_RELAY = /Signal\s*=\s*([0-9A-Da-d*#])/;

/** The digit of an incoming DTMF INFO (dtmf-relay, or a bare `application/dtmf` digit), if any. */
export function readDtmfInfo(body: string, contentType: string): string | undefined {
  const match = DTMF_RELAY.exec(body) ?? (contentType.includes('application/dtmf') ? /([0-9A-Da-d*#])/.exec(body.trim()) : null);
  return match?.[1];
}
