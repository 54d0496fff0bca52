// What a REFER's NOTIFYs mean for a transfer, the one copy both SIP providers read
// (src/providers/sip/refer.ts): the sipfrag status line, its meaning, and the errors reported.
import { describe, expect, it } from 'vitest';
import { referNotSent, referProgress, referRefused, referTargetFailed, sipfragStatus } from '../../../src/providers/sip/refer.js';

describe('REFER subscription (RFC 3515)', () => {
  it('reads the status line of a message/sipfrag body, whatever follows it', () => {
    expect(sipfragStatus('SIP/2.0 200 OK\r\n')).toEqual({ status: 200, reason: 'OK' });
    expect(sipfragStatus('SIP/2.0 180 Ringing')).toEqual({ status: 180, reason: 'Ringing' });
    expect(sipfragStatus('SIP/2.0 486 Busy Here\r\nContent-Length: 0\r\n')).toEqual({ status: 486, reason: 'Busy Here' });
    expect(sipfragStatus('SIP/2.0 100\r\n')).toEqual({ status: 100, reason: '' });
    expect(sipfragStatus(undefined)).toBeUndefined();
    expect(sipfragStatus('')).toBeUndefined();
    expect(sipfragStatus('INVITE sip:carol@example.com SIP/2.0')).toBeUndefined();
  });

  it('1xx: still trying; 2xx: transferred; 3xx and above: failed', () => {
    expect([100, 180, 183].map(referProgress)).toEqual(['trying', 'trying', 'trying']);
    expect([200, 202, 299].map(referProgress)).toEqual(['transferred', 'transferred', 'transferred']);
    expect([300, 404, 486, 603].map(referProgress)).toEqual(['failed', 'failed', 'failed', 'failed']);
  });

  it('a failed transfer is CALL_FAILED naming the provider, with the status where there was one', () => {
    expect(referTargetFailed('cognigy', 404, 'Not Found').toJSON()).toMatchObject({ code: 'CALL_FAILED', provider: 'cognigy', details: { status: 404 }, cause: { name: 'SIPResponse', code: 404, message: 'Not Found' } });
    expect(referRefused('sipjs', 403, 'Forbidden').toJSON()).toMatchObject({ code: 'CALL_FAILED', provider: 'sipjs', details: { status: 403 } });
    const unanswered = referRefused('cognigy', undefined, 'Request Timeout');
    expect(unanswered.code).toBe('CALL_FAILED');
    expect(unanswered.message).toContain('no answer');
    expect(referNotSent('sipjs', new Error('socket closed')).toJSON()).toMatchObject({ code: 'CALL_FAILED', cause: { message: 'socket closed' } });
  });
});
