/**
 * The AI-agent side of a SIP call, spoken in SIP INFO bodies the way Cognigy's Click-to-Call SDK
 * (GitHub Cognigy/click-to-call-sdk) speaks it with its voice gateway; any SIP peer may speak it:
 * - to the agent: INFO `Content-Type: application/json`, body `{"text": "...", "data": {...}}`
 *   (SipManager.ts wraps JsSIP's sendInfo so; `data` defaults to `{}` in SessionManager.sendInfo);
 * - from the agent: INFO whose JSON body holds `"_transcription": {"originator": "bot" | "user",
 *   "messages": [{"text": "..."}]}` — one final line per message with text, the same text from
 *   the same side within a second dropped as a repeat (SessionManager.handleNewInfo,
 *   CallStateStore.addTranscription).
 * An INFO that is JSON but not that, or not JSON, or too big, is dropped with a warning that names
 * the fault and its size, never its words; the INFO itself is still accepted (200) by the caller.
 */
import type { AgentData, CallSink, LogLevel, TranscriptEntry } from '../../core/provider-kit.js';

export const AGENT_INFO_CONTENT_TYPE = 'application/json';
/** Far above a sentence; a body past it is not read at all. */
const MAX_BODY_CHARS = 8_192;
const MAX_MESSAGES = 64;
/** Cognigy's SDK drops the same line from the same side within this window as a repeat. */
const REPEAT_WINDOW_MS = 1_000;

type Log = (level: LogLevel, message: string, data?: Record<string, unknown>) => void;

/** The body of the INFO that carries `text` (and `data`) to the agent. */
export function agentInfoBody(text: string, data: AgentData | undefined): string {
  return JSON.stringify({ text, data: data ?? {} });
}

/** Whether an INFO's Content-Type is the agent's JSON (parameters such as charset allowed). */
export function isAgentInfo(contentType: string | undefined): boolean {
  return typeof contentType === 'string' && contentType.split(';')[0]!.trim().toLowerCase() === AGENT_INFO_CONTENT_TYPE;
}

export type AgentInfoReading =
  | { kind: 'transcript'; role: TranscriptEntry['role']; texts: string[] }
  | { kind: 'dropped'; reason: string };

/** Reads one JSON INFO body; never throws. */
export function readAgentInfo(body: unknown): AgentInfoReading {
  if (typeof body !== 'string' || body === '') return { kind: 'dropped', reason: 'empty body' };
  if (body.length > MAX_BODY_CHARS) return { kind: 'dropped', reason: 'oversized body' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { kind: 'dropped', reason: 'body is not JSON' };
  }
  if (!isRecord(parsed) || !Object.hasOwn(parsed, '_transcription')) return { kind: 'dropped', reason: 'JSON without _transcription' };
  const transcription = parsed._transcription;
  if (!isRecord(transcription)) return { kind: 'dropped', reason: '_transcription is not an object' };
  const { originator, messages } = transcription;
  if (originator !== 'bot' && originator !== 'user') return { kind: 'dropped', reason: 'unknown originator' };
  if (!Array.isArray(messages)) return { kind: 'dropped', reason: 'messages is not a list' };
  if (messages.length > MAX_MESSAGES) return { kind: 'dropped', reason: 'too many messages' };
  const texts: string[] = [];
  for (const message of messages) {
    const text: unknown = isRecord(message) ? message.text : undefined;
    if (typeof text === 'string' && text !== '') texts.push(text);
  }
  if (texts.length === 0) return { kind: 'dropped', reason: 'no message with text' };
  return { kind: 'transcript', role: originator === 'bot' ? 'agent' : 'user', texts };
}

/** One call's agent INFOs: numbers the lines, drops repeats, reports to the call's sink. */
export class SipAgentInfo {
  private count = 0;
  private readonly recent: Array<{ role: string; text: string; at: number }> = [];

  constructor(
    private readonly sink: CallSink,
    private readonly log: Log,
    private readonly provider: string,
  ) {}

  /** An incoming INFO with a JSON content type. */
  onInfo(body: unknown): void {
    const reading = readAgentInfo(body);
    if (reading.kind === 'dropped') {
      this.log('warn', `${this.provider}: agent INFO dropped: ${reading.reason}.`, { chars: typeof body === 'string' ? body.length : 0 });
      return;
    }
    const now = Date.now();
    while (this.recent.length > 0 && now - this.recent[0]!.at >= REPEAT_WINDOW_MS) this.recent.shift();
    for (const text of reading.texts) {
      if (this.recent.some((r) => r.role === reading.role && r.text === text && now - r.at < REPEAT_WINDOW_MS)) continue;
      this.recent.push({ role: reading.role, text, at: now });
      const entry: TranscriptEntry = { id: `info-${++this.count}`, role: reading.role, text, final: true };
      this.sink.transcript?.(entry);
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
