// The AI assistant's side of an anonymous_login call: the `ai_conversation` frames Telnyx pushes
// (as its mobile SDKs read them: flutter-voice-sdk ai_assistant_manager.dart, Android
// AIAssistantManager.kt) and what @telnyx/webrtc 2.27 sends back (sendConversationMessage →
// `conversation.item.create` with a user message; sendAIConversationMessage → a notification with
// a `function_call_output` item). A test drives what the assistant says; the emulator records what
// comes back, answers the client's requests, and echoes typed text like an assistant replying.
import { randomUUID } from 'node:crypto';

/**
 * @typedef {{ kind: 'message', itemId: unknown, text: string | undefined, request: boolean }
 *   | { kind: 'function_call_output', callId: unknown, output: unknown, request: boolean }
 *   | { kind: 'other', type: unknown, request: boolean }} ReceivedAgentFrame
 */

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isRecord(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class AiAssistant {
  /**
   * @param {() => Array<{ push(method: string, params: Record<string, unknown>): void }>} targets
   *   the logged-in anonymous_login sockets (the callers of the assistant)
   */
  constructor(targets) {
    this.targets = targets;
    /** @type {ReceivedAgentFrame[]} */
    this.received = [];
    /** Reply to each typed message with "You said: …" as the assistant. */
    this.echo = true;
  }

  /**
   * Pushes one `ai_conversation` frame with these params to every caller; returns how many got it.
   * @param {Record<string, unknown>} params
   */
  push(params) {
    const targets = this.targets();
    for (const conn of targets) conn.push('ai_conversation', params);
    return targets.length;
  }

  /**
   * The caller's speech as the assistant's recogniser heard it: one completed user item.
   * @param {string} transcript
   */
  heard(transcript, itemId = `item_${randomUUID()}`) {
    this.push({
      type: 'conversation.item.created',
      previous_item_id: null,
      item: { id: itemId, type: 'message', role: 'user', status: 'completed', content: [{ type: 'input_audio', transcript }] },
    });
    return itemId;
  }

  /**
   * The assistant speaks `text`, streamed in `pieces` as `response.text.delta` frames.
   * @param {string} text
   */
  say(text, { pieces = 3, itemId = `item_${randomUUID()}` } = {}) {
    const responseId = `resp_${randomUUID()}`;
    this.push({ type: 'response.created', response: { id: responseId, status: 'in_progress', output: [] } });
    const size = Math.max(1, Math.ceil(text.length / pieces));
    for (let at = 0; at < text.length; at += size) {
      this.push({ type: 'response.text.delta', response_id: responseId, item_id: itemId, output_index: 0, content_index: 0, delta: text.slice(at, at + size) });
    }
    return itemId;
  }

  /**
   * The assistant calls one of the page's tools; it waits for a `function_call_output` with this call_id.
   * @param {string} name
   * @param {unknown} args
   */
  callTool(name, args) {
    const callId = `call_${randomUUID()}`;
    this.push({
      type: 'conversation.item.created',
      item: { id: `item_${randomUUID()}`, type: 'function_call', call_id: callId, name, arguments: JSON.stringify(args) },
    });
    return callId;
  }

  /**
   * Outputs received for a tool call, in order.
   * @param {string} callId
   */
  outputsFor(callId) {
    return this.received.filter((f) => f.kind === 'function_call_output' && f.callId === callId).map((f) => /** @type {any} */ (f).output);
  }

  /** Typed messages received from callers, in order. */
  messages() {
    return this.received.filter((f) => f.kind === 'message').map((f) => /** @type {any} */ (f).text);
  }

  /**
   * An `ai_conversation` frame from a caller. A request (it has an id) gets a bare success result;
   * the notification carrying a function_call_output gets nothing, as JSON-RPC has it.
   * @param {unknown} id
   * @param {Record<string, unknown>} params
   * @param {(result: Record<string, unknown>) => void} reply
   */
  onClientFrame(id, params, reply) {
    const request = id !== undefined;
    const item = isRecord(params.item) ? params.item : undefined;
    if (params.type === 'conversation.item.create' && item?.type === 'message') {
      const content = Array.isArray(item.content) ? item.content : [];
      const text = content.filter((c) => isRecord(c) && c.type === 'input_text' && typeof c.text === 'string').map((c) => c.text).join(' ');
      this.received.push({ kind: 'message', itemId: item.id, text, request });
      if (request) reply({});
      if (this.echo && text) this.say(`You said: ${text}`, { pieces: 2 });
      return;
    }
    if (params.type === 'conversation.item.create' && item?.type === 'function_call_output') {
      this.received.push({ kind: 'function_call_output', callId: item.call_id, output: item.output, request });
      if (request) reply({});
      return;
    }
    this.received.push({ kind: 'other', type: params.type, request });
    if (request) reply({});
  }
}
