// The direct-call relay: what Sendbird's server does between two clients. Commands arrive over the
// WebSocket (or, for `dial_rcv`, over REST); replies go back to the sender matched by `request_id`,
// and everything the other participant must learn is pushed to its sockets with a fresh
// `message_id`, or kept for `missed_signal` while that participant has no socket.
import { randomBytes, randomUUID } from 'node:crypto';
import { SERVER_ERRORS } from './codes.mjs';
import {
  ROLE_CALLEE, ROLE_CALLER, ackFrame, callUser, errorFrame, pushFrame, turnCredential,
} from './wire.mjs';

/**
 * @typedef {{ send(frame: object): void, userId: string, clientId: string | null, isOpen(): boolean }} Client
 * @typedef {{ userId: string, clientId: string | null }} Origin
 * @typedef {{ audio: boolean | undefined, video: boolean | undefined }} MediaState
 * @typedef {typeof ROLE_CALLER | typeof ROLE_CALLEE} Role
 * @typedef {{
 *   callId: string, isVideoCall: boolean, customItems: Record<string, unknown>,
 *   caller: { userId: string, clientId: string | null }, callee: { userId: string, clientId: string | null },
 *   state: 'dialing' | 'accepted' | 'ended', createdAt: number, acceptedAt: number | null,
 *   endedCall: Record<string, unknown> | null, endedBy: string | null, endResult: string | null,
 *   media: Record<Role, MediaState>, holdedBy: string[], missed: Record<Role, object[]>,
 *   capabilities: Record<string, unknown>, shortLivedToken: string,
 *   lostTimers: Record<Role, ReturnType<typeof setTimeout> | null>,
 * }} Call
 * @typedef {{ reply?: object, error?: { code: number, status: number, message: string } }} Outcome
 */

/** Ending commands: the type the client sends, the ack it waits for, the end result the peer sees. */
const ENDINGS = /** @type {Record<string, { ack: string, result: string }>} */ ({
  end: { ack: 'end_ack', result: 'completed' },
  cancel: { ack: 'cancel_ack', result: 'canceled' },
  decline: { ack: 'decline_ack', result: 'declined' },
  no_answer: { ack: 'no_answer_ack', result: 'no_answer' },
  timeout: { ack: 'timeout_ack', result: 'timed_out' },
  connection_lost: { ack: 'connection_lost_ack', result: 'connection_lost' },
  unknown_end: { ack: 'unknown_end_ack', result: 'unknown' },
});

/** Signalling the peer needs verbatim; `connected` is deliberately absent (the peer rejects it). */
const RELAYED_SIGNALS = new Set(['offer', 'answer', 'candidate', 'remove_candidates']);

const MAX_QUEUED_PER_SIDE = 200;
const MAX_KEPT_CALLS = 500;

/** @param {unknown} v @returns {v is Record<string, unknown>} */
function isObject(v) {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** @param {unknown} v */
function optionalBool(v) {
  return typeof v === 'boolean' ? v : undefined;
}

export class CallRelay {
  /**
   * @param {{ userExists(userId: string): boolean, connectionLostAfterMs: number }} options
   */
  constructor(options) {
    this.userExists = options.userExists;
    this.connectionLostAfterMs = options.connectionLostAfterMs;
    /** @type {Map<string, Set<Client>>} */
    this.clientsByUser = new Map();
    /** @type {Map<string, Call>} */
    this.calls = new Map();
    this.stopped = false;
  }

  /** @param {Client} client */
  attach(client) {
    let set = this.clientsByUser.get(client.userId);
    if (!set) this.clientsByUser.set(client.userId, (set = new Set()));
    set.add(client);
    for (const call of this.calls.values()) {
      const role = this.roleOf(call, client.userId);
      if (role && this.isBoundClient(call, role, client)) this.clearLostTimer(call, role);
    }
  }

  /** @param {Client} client */
  detach(client) {
    this.clientsByUser.get(client.userId)?.delete(client);
    for (const call of this.calls.values()) {
      if (call.state !== 'accepted') continue;
      const role = this.roleOf(call, client.userId);
      if (!role || !this.isBoundClient(call, role, client)) continue;
      if (this.openClientsFor(call, role).length > 0) continue;
      this.armLostTimer(call, role);
    }
  }

  stop() {
    this.stopped = true;
    for (const call of this.calls.values()) {
      this.clearLostTimer(call, ROLE_CALLER);
      this.clearLostTimer(call, ROLE_CALLEE);
    }
  }

  /**
   * One command from a client, whatever the transport. Returns what the sender gets back, if anything.
   * @param {Origin} origin
   * @param {unknown} message
   * @returns {Outcome}
   */
  handle(origin, message) {
    if (!isObject(message)) return {};
    const requestId = typeof message.request_id === 'string' ? message.request_id : undefined;
    const cmd = typeof message.cmd === 'string' ? message.cmd : 'CALL';
    const type = typeof message.type === 'string' ? message.type : '';
    const payload = isObject(message.payload) ? message.payload : {};
    const outcome = this.dispatch(origin, { requestId, cmd, type, payload });
    // A command that carried no request id has nobody waiting for an answer.
    if (requestId === undefined) return {};
    return outcome;
  }

  /**
   * @param {Origin} origin
   * @param {{ requestId: string | undefined, cmd: string, type: string, payload: Record<string, unknown> }} m
   * @returns {Outcome}
   */
  dispatch(origin, m) {
    if (m.type === 'dial') return this.dial(origin, m.requestId ?? '', m.cmd, m.payload);
    if (m.type === 'alive' || m.type === 'connected') return {};

    const call = typeof m.payload.call_id === 'string' ? this.calls.get(m.payload.call_id) : undefined;
    if (!call) {
      if (ENDINGS[m.type] || m.type === 'accept' || m.type === 'hold' || m.type === 'dial_rcv') {
        return { error: SERVER_ERRORS.CALL_DOES_NOT_EXIST };
      }
      return m.requestId === undefined ? {} : { error: SERVER_ERRORS.INVALID_PARAMS };
    }
    const role = this.roleOf(call, origin.userId);
    if (!role) return { error: SERVER_ERRORS.NO_PERMISSION };

    if (m.type === 'dial_rcv') return this.dialReceived(call, role, m.payload);
    if (m.type === 'accept') return this.accept(call, role, origin, m.requestId ?? '', m.cmd, m.payload);
    if (ENDINGS[m.type]) return this.end(call, role, origin, m.requestId ?? '', m.cmd, m.type);
    if (m.type === 'hold') return this.hold(call, role, origin, m.requestId ?? '', m.cmd, m.payload);
    if (RELAYED_SIGNALS.has(m.type) || m.type === 'recording') {
      if (call.state !== 'ended') this.deliver(call, this.peerRole(role), pushFrame(m.cmd, m.type, m.payload));
      return {};
    }
    if (m.type === 'audio' || m.type === 'video') {
      const enabled = optionalBool(m.payload.is_enabled);
      if (enabled === undefined || call.state === 'ended') return {};
      call.media[role][m.type] = enabled;
      this.deliver(call, this.peerRole(role), pushFrame(m.cmd, m.type, { call_id: call.callId, is_enabled: enabled }));
      return {};
    }
    return m.requestId === undefined ? {} : { error: SERVER_ERRORS.INVALID_PARAMS };
  }

  /**
   * @param {Origin} origin
   * @param {string} requestId
   * @param {string} cmd
   * @param {Record<string, unknown>} payload
   * @returns {Outcome}
   */
  dial(origin, requestId, cmd, payload) {
    const calleeId = payload.callee_id;
    if (typeof calleeId !== 'string' || calleeId === '' || !this.userExists(calleeId)) {
      return { error: SERVER_ERRORS.CALLEE_DOES_NOT_EXIST };
    }
    if (calleeId === origin.userId) return { error: SERVER_ERRORS.DIAL_MYSELF };
    const constraints = isObject(payload.constraints) ? payload.constraints : {};
    /** @type {Call} */
    const call = {
      callId: randomUUID(),
      isVideoCall: payload.is_video_call === true,
      customItems: isObject(payload.custom_items) ? payload.custom_items : {},
      caller: { userId: origin.userId, clientId: origin.clientId },
      callee: { userId: calleeId, clientId: null },
      state: 'dialing',
      createdAt: Date.now(),
      acceptedAt: null,
      endedCall: null,
      endedBy: null,
      endResult: null,
      media: {
        [ROLE_CALLER]: { audio: optionalBool(constraints.audio), video: optionalBool(constraints.video) },
        [ROLE_CALLEE]: { audio: undefined, video: undefined },
      },
      holdedBy: [],
      missed: { [ROLE_CALLER]: [], [ROLE_CALLEE]: [] },
      capabilities: { [ROLE_CALLER]: Array.isArray(payload.capabilities) ? payload.capabilities : [] },
      shortLivedToken: randomBytes(16).toString('hex'),
      lostTimers: { [ROLE_CALLER]: null, [ROLE_CALLEE]: null },
    };
    this.keep(call);
    const caller = callUser(call.caller.userId, ROLE_CALLER);
    const callee = callUser(call.callee.userId, ROLE_CALLEE);
    this.deliver(call, ROLE_CALLEE, pushFrame(cmd, 'dial', {
      call_id: call.callId,
      is_video_call: call.isVideoCall,
      caller,
      callee,
      turn_credential: turnCredential(),
      constraints: { audio: call.media[ROLE_CALLER].audio ?? true, video: call.media[ROLE_CALLER].video ?? false },
      custom_items: call.customItems,
      sbcall_short_lived_token: call.shortLivedToken,
      capabilities: call.capabilities[ROLE_CALLER],
    }));
    return {
      reply: ackFrame(requestId, cmd, 'dial_ack', {
        call_id: call.callId, is_video_call: call.isVideoCall, caller, callee, custom_items: call.customItems,
      }),
    };
  }

  /**
   * The callee's device confirms the dial reached it; the caller hears about it
   * (`onCalleeDialReceived`).
   * @param {Call} call
   * @param {Role} role
   * @param {Record<string, unknown>} payload
   * @returns {Outcome}
   */
  dialReceived(call, role, payload) {
    if (role !== ROLE_CALLEE) return { error: SERVER_ERRORS.NO_PERMISSION };
    if (call.state === 'dialing') {
      this.deliver(call, ROLE_CALLER, pushFrame('CALL', 'dial_rcv', {
        call_id: call.callId,
        callee_delivery_info: isObject(payload.callee_delivery_info) ? payload.callee_delivery_info : { type: 'websocket' },
        received_type: typeof payload.received_type === 'string' ? payload.received_type : 'ws',
      }));
    }
    return { reply: { call_id: call.callId } };
  }

  /**
   * @param {Call} call
   * @param {Role} role
   * @param {Origin} origin
   * @param {string} requestId
   * @param {string} cmd
   * @param {Record<string, unknown>} payload
   * @returns {Outcome}
   */
  accept(call, role, origin, requestId, cmd, payload) {
    if (role !== ROLE_CALLEE) return { error: SERVER_ERRORS.NO_PERMISSION };
    if (call.state !== 'dialing') return { error: SERVER_ERRORS.INVALID_CALL_STATUS };
    const constraints = isObject(payload.constraints) ? payload.constraints : {};
    call.state = 'accepted';
    call.acceptedAt = Date.now();
    call.callee.clientId = origin.clientId;
    call.media[ROLE_CALLEE] = { audio: optionalBool(constraints.audio), video: optionalBool(constraints.video) };
    call.capabilities[ROLE_CALLEE] = Array.isArray(payload.capabilities) ? payload.capabilities : [];
    // Other devices of the callee stop ringing.
    for (const other of this.clientsByUser.get(call.callee.userId) ?? []) {
      if (other.clientId !== origin.clientId && other.isOpen()) {
        other.send(pushFrame(cmd, 'other_device_accepted', { call_id: call.callId }));
      }
    }
    this.deliver(call, ROLE_CALLER, pushFrame(cmd, 'accept', {
      call_id: call.callId,
      turn_credential: turnCredential(),
      audio: call.media[ROLE_CALLEE].audio ?? true,
      video: call.media[ROLE_CALLEE].video ?? false,
      capabilities: call.capabilities[ROLE_CALLEE],
    }));
    return { reply: ackFrame(requestId, cmd, 'accept_ack', { call_id: call.callId }) };
  }

  /**
   * Ending is idempotent: both sides' timers may fire for the same call, and whoever comes second
   * gets the first ending back rather than an error.
   * @param {Call} call
   * @param {Role} role
   * @param {Origin} origin
   * @param {string} requestId
   * @param {string} cmd
   * @param {string} type
   * @returns {Outcome}
   */
  end(call, role, origin, requestId, cmd, type) {
    // handle() calls end() only for a type ENDINGS has.
    const ending = /** @type {{ ack: string, result: string }} */ (ENDINGS[type]);
    if (call.state !== 'ended') this.finish(call, origin.userId, ending.result, type, role);
    return { reply: ackFrame(requestId, cmd, ending.ack, { call_id: call.callId, ended_call: this.endedCall(call, role) }) };
  }

  /**
   * @param {Call} call
   * @param {string} endedBy
   * @param {string} result
   * @param {string} pushType
   * @param {Role} enderRole
   */
  finish(call, endedBy, result, pushType, enderRole) {
    call.state = 'ended';
    call.endedBy = endedBy;
    call.endResult = result;
    call.endedCall = { ended_at: Date.now() };
    this.clearLostTimer(call, ROLE_CALLER);
    this.clearLostTimer(call, ROLE_CALLEE);
    const peer = this.peerRole(enderRole);
    this.deliver(call, peer, pushFrame('CALL', pushType, { call_id: call.callId, ended_call: this.endedCall(call, peer) }));
    // Devices of the callee that never accepted are still ringing; they learn the ending too.
    if (enderRole === ROLE_CALLEE && call.callee.clientId !== null) {
      for (const other of this.clientsByUser.get(call.callee.userId) ?? []) {
        if (other.clientId !== call.callee.clientId && other.isOpen()) {
          other.send(pushFrame('CALL', pushType, { call_id: call.callId, ended_call: this.endedCall(call, ROLE_CALLEE) }));
        }
      }
    }
  }

  /**
   * @param {Call} call
   * @param {string} forRole
   */
  endedCall(call, forRole) {
    const endedAt = /** @type {number} */ (call.endedCall?.ended_at ?? Date.now());
    const startedAt = call.acceptedAt ?? call.createdAt;
    return {
      call_id: call.callId,
      call_type: 'direct_call',
      is_video_call: call.isVideoCall,
      custom_items: call.customItems,
      user_role: forRole,
      started_at: startedAt,
      ended_at: endedAt,
      duration: call.acceptedAt === null ? 0 : Math.max(0, endedAt - call.acceptedAt),
      participants: [callUser(call.caller.userId, ROLE_CALLER), callUser(call.callee.userId, ROLE_CALLEE)],
      ended_by: call.endedBy,
      end_result_ex: call.endResult,
    };
  }

  /**
   * The server keeps who holds the call; both sides get the whole list (`is_relayed: false`), which
   * the client takes as authoritative.
   * @param {Call} call
   * @param {Role} role
   * @param {Origin} origin
   * @param {string} requestId
   * @param {string} cmd
   * @param {Record<string, unknown>} payload
   * @returns {Outcome}
   */
  hold(call, role, origin, requestId, cmd, payload) {
    if (call.state !== 'accepted') return { error: SERVER_ERRORS.INVALID_CALL_STATUS };
    const onHold = payload.is_on_hold === true;
    const others = call.holdedBy.filter((id) => id !== origin.userId);
    call.holdedBy = onHold ? [...others, origin.userId] : others;
    this.deliver(call, this.peerRole(role), pushFrame(cmd, 'hold', {
      call_id: call.callId, holded_by: [...call.holdedBy], is_peer_on_hold: onHold, is_relayed: false,
    }));
    return { reply: ackFrame(requestId, cmd, 'hold_ack', { call_id: call.callId, holded_by: [...call.holdedBy], is_relayed: false }) };
  }

  /**
   * `GET missed_signal`: what a returning client missed, per call it asks about.
   * @param {Origin} origin
   * @param {string[]} callIds
   */
  missedSignals(origin, callIds) {
    const entries = [];
    for (const callId of callIds.slice(0, 50)) {
      const call = this.calls.get(callId);
      if (!call) continue;
      const role = this.roleOf(call, origin.userId);
      if (!role) continue;
      const bound = role === ROLE_CALLER ? call.caller.clientId : call.callee.clientId;
      const mine = bound === null || bound === origin.clientId;
      const peerMedia = call.media[this.peerRole(role)];
      /** @type {Record<string, boolean>} */
      const snapshot = {};
      if (typeof peerMedia.audio === 'boolean') snapshot.is_audio_enabled = peerMedia.audio;
      if (typeof peerMedia.video === 'boolean') snapshot.is_video_enabled = peerMedia.video;
      entries.push({
        call_id: call.callId,
        call_type: 'direct_call',
        user_role: role,
        caller_client_id: call.caller.clientId,
        callee_client_id: call.callee.clientId,
        signal_seq: mine ? call.missed[role].splice(0) : [],
        signal_snapshot: snapshot,
      });
    }
    return entries;
  }

  /**
   * @param {Call} call
   * @param {Role} role
   * @param {object} frame
   */
  deliver(call, role, frame) {
    const targets = this.openClientsFor(call, role);
    if (targets.length === 0) {
      const queue = call.missed[role];
      if (queue.length < MAX_QUEUED_PER_SIDE) queue.push(frame);
      return;
    }
    for (const client of targets) client.send(frame);
  }

  /**
   * @param {Call} call
   * @param {Role} role
   */
  openClientsFor(call, role) {
    const userId = role === ROLE_CALLER ? call.caller.userId : call.callee.userId;
    return [...(this.clientsByUser.get(userId) ?? [])].filter((c) => c.isOpen() && this.isBoundClient(call, role, c));
  }

  /**
   * @param {Call} call
   * @param {Role} role
   * @param {Client} client
   */
  isBoundClient(call, role, client) {
    const bound = role === ROLE_CALLER ? call.caller.clientId : call.callee.clientId;
    return bound === null || bound === client.clientId;
  }

  /**
   * A participant whose socket stays away ends the call for the other side, as Sendbird's server does.
   * @param {Call} call
   * @param {Role} role
   */
  armLostTimer(call, role) {
    if (this.stopped || call.lostTimers[role]) return;
    const timer = setTimeout(() => {
      call.lostTimers[role] = null;
      if (call.state !== 'accepted' || this.openClientsFor(call, role).length > 0) return;
      const userId = role === ROLE_CALLER ? call.caller.userId : call.callee.userId;
      this.finish(call, userId, 'connection_lost', 'connection_lost', role);
      // The absent side reads the ending from missed_signal when it returns.
      const queue = call.missed[role];
      if (queue.length < MAX_QUEUED_PER_SIDE) {
        queue.push(pushFrame('CALL', 'connection_lost', { call_id: call.callId, ended_call: this.endedCall(call, role) }));
      }
    }, this.connectionLostAfterMs);
    timer.unref?.();
    call.lostTimers[role] = timer;
  }

  /**
   * @param {Call} call
   * @param {Role} role
   */
  clearLostTimer(call, role) {
    const timer = call.lostTimers[role];
    if (timer) clearTimeout(timer);
    call.lostTimers[role] = null;
  }

  /** @param {Call} call */
  keep(call) {
    this.calls.set(call.callId, call);
    if (this.calls.size <= MAX_KEPT_CALLS) return;
    for (const [id, old] of this.calls) {
      if (old.state === 'ended') {
        this.calls.delete(id);
        return;
      }
    }
  }

  /**
   * @param {Call} call
   * @param {string} userId
   */
  roleOf(call, userId) {
    if (call.caller.userId === userId) return ROLE_CALLER;
    if (call.callee.userId === userId) return ROLE_CALLEE;
    return null;
  }

  /** @param {Role} role */
  peerRole(role) {
    return role === ROLE_CALLER ? ROLE_CALLEE : ROLE_CALLER;
  }
}
