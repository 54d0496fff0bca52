/**
 * A Telnyx AI assistant's `ai_conversation` frames (OpenAI-realtime-like), read the way Telnyx's
 * own SDKs build their transcript (flutter-voice-sdk `ai_assistant_manager.dart`, Android
 * `AIAssistantManager.kt`), and the two frames the web SDK 2.27 sends back:
 * - `conversation.item.created`, `item.role: 'user'`, `item.status: 'completed'`: what the caller
 *   said (the `transcript` of each content part; a typed message's `text`) → a final user line.
 * - `response.text.delta {item_id, delta}`: the assistant's words, piece by piece, accumulated
 *   under `item_id` → partial agent lines; the utterance is final when another item begins or
 *   the call ends (Telnyx sends no "done" that its SDKs read).
 * - `conversation.item.created`, `item.type: 'function_call' {call_id, name, arguments}`: a tool
 *   call; answered with `sendAIConversationMessage({type: 'function_call_output', call_id, output})`.
 * - `call.sendConversationMessage(text, [])` sends `conversation.item.create` with a user message
 *   of `input_text` (2.27 spreads its attachments argument, so it must be an array).
 * Anything malformed or oversized is dropped with a warning that names the fault, never the words.
 */
import type { AgentData, CallSink, LogLevel } from '../../core/provider-kit.js';

/** What a single frame may carry; an assistant's sentence is far below these. */
const MAX_ID_CHARS = 256;
const MAX_NAME_CHARS = 128;
const MAX_DELTA_CHARS = 16_384;
const MAX_UTTERANCE_CHARS = 32_768;
const MAX_ARGUMENTS_CHARS = 65_536;

export interface AgentSdkCall {
  sendConversationMessage?(message: string, attachments?: string[]): Promise<unknown>;
  sendAIConversationMessage?(item: { type: 'function_call_output'; call_id: string; output: string }): void;
}

type Log = (level: LogLevel, message: string, data?: Record<string, unknown>) => void;

export class TelnyxAgent {
  /** The assistant utterance still being spoken (its deltas keep coming). */
  private open: { id: string; text: string } | undefined;

  constructor(
    private readonly sdkCall: AgentSdkCall,
    private readonly sink: CallSink,
    private readonly log: Log,
  ) {}

  /** One `ai_conversation` frame's `params`, as the SDK hands it on (`telnyx.ai.conversation`). */
  onFrame(params: unknown): void {
    if (!isRecord(params) || typeof params.type !== 'string') return this.drop('no type', params);
    if (params.type === 'conversation.item.created') return this.onItemCreated(params.item);
    if (params.type === 'response.text.delta') return this.onTextDelta(params);
    // response.created, widget settings and the rest carry no words for the transcript.
  }

  async sendText(text: string, data: AgentData | undefined): Promise<void> {
    if (data !== undefined) this.log('warn', 'Telnyx AI assistants take text only: the data passed to sendText was not sent.');
    const send = this.sdkCall.sendConversationMessage;
    if (typeof send !== 'function') throw new Error('This @telnyx/webrtc has no sendConversationMessage.');
    await send.call(this.sdkCall, text, []);
  }

  async respondToolCall(id: string, output: string): Promise<void> {
    const send = this.sdkCall.sendAIConversationMessage;
    if (typeof send !== 'function') throw new Error('This @telnyx/webrtc has no sendAIConversationMessage.');
    send.call(this.sdkCall, { type: 'function_call_output', call_id: id, output });
  }

  private onItemCreated(item: unknown): void {
    if (!isRecord(item)) return this.drop('conversation.item.created without an item', item);
    if (item.type === 'function_call') return this.onFunctionCall(item);
    if (item.role !== 'user' || item.status !== 'completed') return; // the assistant's own items, or unfinished ones
    if (!isId(item.id)) return this.drop('user item without a valid id', item);
    const text = userText(item.content);
    if (text === undefined) return this.drop('user item with malformed content', item);
    if (text === '') return;
    this.closeOpen();
    const id = item.id;
    this.sink.transcript?.({ id, role: 'user', text, final: true });
  }

  private onTextDelta(params: Record<string, unknown>): void {
    const { item_id: itemId, delta } = params;
    if (!isId(itemId) || typeof delta !== 'string') return this.drop('response.text.delta without item_id or delta', params);
    if (delta.length > MAX_DELTA_CHARS) return this.drop('oversized response.text.delta', params);
    if (this.open && this.open.id !== itemId) this.closeOpen();
    const open = (this.open ??= { id: itemId, text: '' });
    if (open.text.length + delta.length > MAX_UTTERANCE_CHARS) return this.drop('assistant utterance over its size bound', params);
    open.text += delta;
    const entry = { id: open.id, role: 'agent' as const, text: open.text, final: false };
    this.sink.transcript?.(entry);
  }

  private onFunctionCall(item: Record<string, unknown>): void {
    const { call_id: callId, name, arguments: raw } = item;
    if (!isId(callId) || typeof name !== 'string' || name === '' || name.length > MAX_NAME_CHARS || typeof raw !== 'string') {
      return this.drop('function_call without call_id, name or arguments', item);
    }
    if (raw.length > MAX_ARGUMENTS_CHARS) return this.drop('oversized function_call arguments', item);
    let args: unknown;
    try {
      args = raw.trim() === '' ? {} : JSON.parse(raw);
    } catch {
      return this.drop('function_call arguments are not JSON', item);
    }
    if (!isRecord(args)) return this.drop('function_call arguments are not an object', item);
    this.closeOpen();
    const request = { id: callId, name, arguments: args };
    this.sink.toolCall?.(request);
  }

  private closeOpen(): void {
    const open = this.open;
    this.open = undefined;
    if (open) this.sink.transcript?.({ id: open.id, role: 'agent', text: open.text, final: true });
  }

  private drop(reason: string, value: unknown): void {
    // The frame's words may be anyone's: the warning says what was wrong and how big, nothing else.
    this.log('warn', `Telnyx ai_conversation frame dropped: ${reason}.`, { chars: sizeOf(value) });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && value.length <= MAX_ID_CHARS;
}

/** The words of a user item: each part's `transcript` (speech) or `text` (typed); undefined if malformed. */
function userText(content: unknown): string | undefined {
  if (typeof content === 'string') return content.length <= MAX_UTTERANCE_CHARS ? content : undefined;
  if (!Array.isArray(content)) return undefined;
  const parts: string[] = [];
  for (const part of content) {
    if (!isRecord(part)) return undefined;
    const words = typeof part.transcript === 'string' ? part.transcript : typeof part.text === 'string' ? part.text : undefined;
    if (words !== undefined && words !== '') parts.push(words);
  }
  const text = parts.join(' ');
  return text.length <= MAX_UTTERANCE_CHARS ? text : undefined;
}

function sizeOf(value: unknown): number {
  try {
    return JSON.stringify(value)?.length ?? 0;
  } catch {
    return 0;
  }
}
