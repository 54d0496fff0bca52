// Relays calls between two logged-in SDK clients the way the Telnyx B2BUA looks from each client:
// every client sees its own leg with its own callID, and only signalling crosses over (SDP, DTMF,
// hangup causes). Media flows page to page; the emulator never touches it.
import { randomUUID } from 'node:crypto';

/**
 * A logged-in socket as the relay needs it.
 * @typedef {object} RelayConnection
 * @property {number} id
 * @property {string | undefined} login
 * @property {string | undefined} sessid
 * @property {{ target_id: string, target_type: string, target_params?: Record<string, unknown> } | undefined} anonymous
 * @property {(method: string, params: Record<string, unknown>) => void} push
 */

/**
 * @typedef {object} Leg
 * @property {RelayConnection} conn
 * @property {string} callID
 * @property {'caller' | 'callee'} role
 * @property {'ringing' | 'active' | 'ended'} state
 * @property {boolean} held
 * @property {Leg | null} peer
 * @property {string} telnyxSessionId shared by both legs, like Telnyx's telnyx_session_id
 * @property {string} telnyxLegId
 */

/**
 * @typedef {object} CallRecord
 * @property {string} from caller login, or 'anonymous'
 * @property {string} to callee login asked for
 * @property {string} callerCallID
 * @property {string | null} calleeCallID null when nobody took the call
 * @property {string} [target_id] anonymous_login target of the caller's session
 * @property {unknown} [conversation_id] target_params.conversation_id of the caller's session
 * @property {string} outcome 'routed' | 'not_registered'
 */

/** JSON-RPC error with a code the SDK can see (it only keeps that an error happened). */
export class RpcError extends Error {
  /**
   * @param {number} code
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** Ended legs linger so a late bye/info from a racing client still gets a success reply. */
const ENDED_LEG_TTL_MS = 30_000;
export const ASSISTANT_LOGIN = 'assistant';

/** Hangup causes a callee can decline with, and the SIP status the caller's leg then reports. */
const DECLINE_SIP = /** @type {Record<string, [number, string]>} */ ({
  USER_BUSY: [486, 'Busy Here'],
  CALL_REJECTED: [603, 'Decline'],
  NO_ANSWER: [480, 'Temporarily Unavailable'],
});

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isRecord(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** @param {Record<string, unknown>} params */
function dialogCallId(params) {
  const dialog = params.dialogParams;
  const id = isRecord(dialog) ? dialog.callID : undefined;
  if (typeof id === 'string' && id !== '') return id;
  if (typeof params.callID === 'string' && params.callID !== '') return params.callID;
  throw new RpcError(-32602, 'Invalid params: dialogParams.callID is required');
}

export class CallRelay {
  /**
   * @param {(login: string) => RelayConnection | undefined} findLoggedIn the newest logged-in
   *   socket of that login
   */
  constructor(findLoggedIn) {
    this.findLoggedIn = findLoggedIn;
    /** @type {Map<string, Leg>} keyed by connection id + callID: callIDs are only unique per client */
    this.legs = new Map();
    /** @type {CallRecord[]} */
    this.calls = [];
    /** @type {Set<ReturnType<typeof setTimeout>>} */
    this.timers = new Set();
  }

  /**
   * @param {RelayConnection} conn
   * @param {string} callID
   */
  static key(conn, callID) {
    return `${conn.id}\u0000${callID}`;
  }

  /**
   * @param {RelayConnection} conn
   * @param {Record<string, unknown>} params
   */
  legOf(conn, params) {
    const callID = dialogCallId(params);
    const leg = this.legs.get(CallRelay.key(conn, callID));
    if (!leg) throw new RpcError(-32602, 'CALL DOES NOT EXIST');
    return leg;
  }

  /** @param {Leg} leg */
  end(leg) {
    leg.state = 'ended';
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.legs.delete(CallRelay.key(leg.conn, leg.callID));
    }, ENDED_LEG_TTL_MS);
    timer.unref();
    this.timers.add(timer);
  }

  /**
   * @param {RelayConnection} conn
   * @param {Record<string, unknown>} params
   * @param {(result: Record<string, unknown>) => void} reply sent before any push, as the SDK
   *   expects its `trying` state ahead of ringing/answer
   */
  invite(conn, params, reply) {
    const callID = dialogCallId(params);
    if (typeof params.sdp !== 'string' || params.sdp === '') throw new RpcError(-32602, 'Invalid params: sdp is required');
    if (this.legs.has(CallRelay.key(conn, callID))) throw new RpcError(-32602, 'Invalid params: callID already in use');
    const dialog = isRecord(params.dialogParams) ? params.dialogParams : {};
    const calleeLogin = conn.anonymous ? ASSISTANT_LOGIN : String(dialog.destination_number ?? '');
    const telnyxSessionId = randomUUID();
    /** @type {Leg} */
    const callerLeg = {
      conn, callID, role: 'caller', state: 'ringing', held: false, peer: null, telnyxSessionId, telnyxLegId: randomUUID(),
    };
    this.legs.set(CallRelay.key(conn, callID), callerLeg);
    reply({ callID, message: 'CALL CREATED', sessid: conn.sessid });

    /** @type {CallRecord} */
    const record = {
      from: conn.login ?? 'anonymous', to: calleeLogin, callerCallID: callID, calleeCallID: null, outcome: 'not_registered',
    };
    if (conn.anonymous) {
      record.target_id = conn.anonymous.target_id;
      record.conversation_id = conn.anonymous.target_params?.conversation_id;
    }
    this.calls.push(record);

    const calleeConn = calleeLogin === '' ? undefined : this.findLoggedIn(calleeLogin);
    if (!calleeConn) {
      this.end(callerLeg);
      conn.push('telnyx_rtc.bye', {
        callID, cause: 'USER_NOT_REGISTERED', causeCode: 606, sipCode: 404, sipReason: 'Not Found',
      });
      return;
    }
    /** @type {Leg} */
    const calleeLeg = {
      conn: calleeConn, callID: randomUUID(), role: 'callee', state: 'ringing', held: false, peer: callerLeg,
      telnyxSessionId, telnyxLegId: randomUUID(),
    };
    callerLeg.peer = calleeLeg;
    this.legs.set(CallRelay.key(calleeConn, calleeLeg.callID), calleeLeg);
    record.calleeCallID = calleeLeg.callID;
    record.outcome = 'routed';

    conn.push('telnyx_rtc.ringing', { callID, telnyx_session_id: telnyxSessionId, telnyx_leg_id: callerLeg.telnyxLegId });
    const callerName = typeof dialog.caller_id_name === 'string' && dialog.caller_id_name !== '' ? dialog.caller_id_name : (conn.login ?? 'anonymous');
    const callerNumber = typeof dialog.caller_id_number === 'string' && dialog.caller_id_number !== '' ? dialog.caller_id_number : (conn.login ?? 'anonymous');
    /** @type {Record<string, unknown>} */
    const invite = {
      callID: calleeLeg.callID,
      sdp: params.sdp,
      caller_id_name: callerName,
      caller_id_number: callerNumber,
      callee_id_name: calleeLogin,
      callee_id_number: calleeLogin,
      telnyx_session_id: telnyxSessionId,
      telnyx_leg_id: calleeLeg.telnyxLegId,
    };
    // The SDK reads custom headers of an inbound call from dialogParams.custom_headers.
    if (Array.isArray(dialog.custom_headers) && dialog.custom_headers.length > 0) {
      invite.dialogParams = { custom_headers: dialog.custom_headers };
    }
    calleeConn.push('telnyx_rtc.invite', invite);
  }

  /**
   * @param {RelayConnection} conn
   * @param {Record<string, unknown>} params
   * @param {(result: Record<string, unknown>) => void} reply
   */
  answer(conn, params, reply) {
    const leg = this.legOf(conn, params);
    if (leg.role !== 'callee' || leg.state !== 'ringing') throw new RpcError(-32602, 'CALL NOT RINGING');
    if (typeof params.sdp !== 'string' || params.sdp === '') throw new RpcError(-32602, 'Invalid params: sdp is required');
    const peer = leg.peer;
    if (!peer || peer.state === 'ended') throw new RpcError(-32602, 'CALL DOES NOT EXIST');
    leg.state = 'active';
    peer.state = 'active';
    reply({ callID: leg.callID, message: 'CALL ANSWERED', sessid: conn.sessid });
    peer.conn.push('telnyx_rtc.answer', {
      callID: peer.callID, sdp: params.sdp, telnyx_session_id: peer.telnyxSessionId, telnyx_leg_id: peer.telnyxLegId,
    });
  }

  /**
   * @param {RelayConnection} conn
   * @param {Record<string, unknown>} params
   * @param {(result: Record<string, unknown>) => void} reply
   */
  bye(conn, params, reply) {
    const leg = this.legOf(conn, params);
    const cause = typeof params.cause === 'string' ? params.cause : 'NORMAL_CLEARING';
    const causeCode = typeof params.causeCode === 'number' ? params.causeCode : 16;
    const wasRinging = leg.state === 'ringing';
    const alreadyEnded = leg.state === 'ended';
    if (!alreadyEnded) this.end(leg);
    reply({ callID: leg.callID, message: 'CALL ENDED', cause, causeCode, sessid: conn.sessid });
    const peer = leg.peer;
    if (alreadyEnded || !peer || peer.state === 'ended') return;
    this.end(peer);
    if (!wasRinging) {
      peer.conn.push('telnyx_rtc.bye', { callID: peer.callID, cause: 'NORMAL_CLEARING', causeCode: 16, sipCode: 200, sipReason: 'OK' });
    } else if (leg.role === 'callee') {
      const [sipCode, sipReason] = DECLINE_SIP[cause] ?? [486, 'Busy Here'];
      peer.conn.push('telnyx_rtc.bye', { callID: peer.callID, cause, causeCode, sipCode, sipReason });
    } else {
      peer.conn.push('telnyx_rtc.bye', {
        callID: peer.callID, cause: 'ORIGINATOR_CANCEL', causeCode: 487, sipCode: 487, sipReason: 'Request Terminated',
      });
    }
  }

  /**
   * DTMF (`dtmf`) or chat (`msg`): acknowledged. Chat is forwarded to the other leg (where the SDK
   * surfaces it as a `telnyx.notification` of type 'event'); DTMF is not: nothing in the SDK or in
   * Telnyx's documentation shows the real service handing a party's digits to the far WebRTC leg,
   * so the emulator does not invent it (dtmfSeen() still shows what was sent).
   * @param {RelayConnection} conn
   * @param {Record<string, unknown>} params
   * @param {(result: Record<string, unknown>) => void} reply
   */
  info(conn, params, reply) {
    const leg = this.legOf(conn, params);
    reply({ callID: leg.callID, message: 'SENT', sessid: conn.sessid });
    const peer = leg.peer;
    if (leg.state !== 'active' || !peer || peer.state !== 'active') return;
    if (params.msg === undefined) return;
    peer.conn.push('telnyx_rtc.info', { callID: peer.callID, msg: params.msg });
  }

  /**
   * Hold is answered to the requester only: the 2.27.10 client has no handler for a pushed
   * `telnyx_rtc.modify`, so the other leg learns nothing through signalling.
   * @param {RelayConnection} conn
   * @param {Record<string, unknown>} params
   * @param {(result: Record<string, unknown>) => void} reply
   */
  modify(conn, params, reply) {
    const leg = this.legOf(conn, params);
    if (leg.state !== 'active') throw new RpcError(-32602, 'CALL NOT ACTIVE');
    const action = params.action;
    if (action === 'hold') leg.held = true;
    else if (action === 'unhold') leg.held = false;
    else if (action === 'toggleHold') leg.held = !leg.held;
    // updateMedia (ICE restart) needs an SDP answer from a media server the emulator does not have.
    else throw new RpcError(-32602, `Unsupported modify action: ${String(action).slice(0, 40)}`);
    reply({ callID: leg.callID, action, holdState: leg.held ? 'held' : 'active', sessid: conn.sessid });
  }

  /**
   * Trickle ICE (`trickleIce: true` in the SDK): candidates cross to the other leg.
   * @param {RelayConnection} conn
   * @param {string} method telnyx_rtc.candidate | telnyx_rtc.endOfCandidates
   * @param {Record<string, unknown>} params
   * @param {(result: Record<string, unknown>) => void} reply
   */
  candidate(conn, method, params, reply) {
    const leg = this.legOf(conn, params);
    reply({ callID: leg.callID, message: 'OK', sessid: conn.sessid });
    const peer = leg.peer;
    if (!peer || peer.state === 'ended' || method !== 'telnyx_rtc.candidate') return;
    peer.conn.push('telnyx_rtc.candidate', {
      callID: peer.callID, candidate: params.candidate, sdpMLineIndex: params.sdpMLineIndex, sdpMid: params.sdpMid,
    });
  }

  /**
   * A socket went away: its legs end and the other side hears a bye, as nothing can reattach
   * (the emulator never hands out a voice_sdk_id, so the SDK never asks to).
   * @param {RelayConnection} conn
   */
  dropConnection(conn) {
    for (const leg of this.legs.values()) {
      if (leg.conn !== conn || leg.state === 'ended') continue;
      this.end(leg);
      const peer = leg.peer;
      if (!peer || peer.state === 'ended') continue;
      this.end(peer);
      peer.conn.push('telnyx_rtc.bye', {
        callID: peer.callID, cause: 'NORMAL_TEMPORARY_FAILURE', causeCode: 41, sipCode: 503, sipReason: 'Service Unavailable',
      });
    }
  }

  /**
   * The callIDs of a socket's calls that have not ended: the sessions a re-login keeps.
   * @param {RelayConnection} conn
   * @returns {string[]}
   */
  liveCallIds(conn) {
    const ids = [];
    for (const leg of this.legs.values()) if (leg.conn === conn && leg.state !== 'ended') ids.push(leg.callID);
    return ids;
  }

  clear() {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.legs.clear();
  }
}
