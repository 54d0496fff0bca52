import { VoiceError } from '../errors.js';
import type { AgentCallSink, AgentData, AgentToolCall, TranscriptEntry } from './types.js';

/** Bounds on what an app may send; vendors cap messages well below these. */
export const MAX_TEXT_CHARS = 4_096;
export const MAX_DATA_JSON_CHARS = 16_384;
/** A long call keeps its most recent utterances; the oldest go first. */
const MAX_ENTRIES = 2_000;

interface ConversationHost {
  provider(): string;
  /** False once the call has ended: nothing is reported after `ended`. */
  live(): boolean;
  emit<K extends 'transcript' | 'agentToolCall'>(type: K, payload: K extends 'transcript' ? TranscriptEntry : AgentToolCall): void;
  respond(id: string, output: string): Promise<void>;
  /** What the provider declares: events of an undeclared capability are not passed on. */
  declares(capability: 'agentTranscript' | 'agentTools'): boolean;
  invalidState(operation: string, why: string): VoiceError;
}

/**
 * One call's conversation with an agent: the transcript so far, partial updates folded into their
 * utterance, and tool calls turned into events that can be answered once.
 */
export class AgentConversation {
  private readonly entries: TranscriptEntry[] = [];

  constructor(private readonly host: ConversationHost) {}

  get transcript(): readonly TranscriptEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  sink(): AgentCallSink {
    return {
      transcript: (entry) => this.onTranscript(entry),
      toolCall: (request) => this.onToolCall(request),
    };
  }

  /** Utterances still partial when the call ends are final now: nothing more will come. */
  close(): TranscriptEntry[] {
    const closed: TranscriptEntry[] = [];
    for (const entry of this.entries) {
      if (entry.final) continue;
      entry.final = true;
      closed.push({ ...entry });
    }
    return closed;
  }

  private onTranscript(entry: TranscriptEntry): void {
    if (!this.host.live() || !this.host.declares('agentTranscript') || !isEntry(entry)) return;
    const index = this.entries.findIndex((e) => e.id === entry.id);
    const known = index >= 0 ? this.entries[index] : undefined;
    // A final utterance is closed; a changed role would be another utterance under a reused id.
    if (known && (known.final || known.role !== entry.role)) return;
    if (known && known.text === entry.text && !entry.final) return;
    const copy: TranscriptEntry = { id: entry.id, role: entry.role, text: entry.text, final: entry.final };
    if (known) this.entries[index] = copy;
    else {
      this.entries.push(copy);
      if (this.entries.length > MAX_ENTRIES) this.entries.shift();
    }
    this.host.emit('transcript', { ...copy });
  }

  private onToolCall(request: { id: string; name: string; arguments: AgentData }): void {
    if (!this.host.live() || !this.host.declares('agentTools')) return;
    let answered = false;
    const event: AgentToolCall = {
      id: request.id,
      name: request.name,
      arguments: request.arguments,
      respond: async (output) => {
        const text = toolOutput(output, this.host.provider());
        if (answered) throw this.host.invalidState('respond', 'this tool call was already answered');
        if (!this.host.live()) throw this.host.invalidState('respond', 'the call has ended');
        answered = true;
        await this.host.respond(request.id, text);
      },
    };
    this.host.emit('agentToolCall', event);
  }
}

function isEntry(entry: TranscriptEntry): boolean {
  return (
    typeof entry?.id === 'string' &&
    entry.id !== '' &&
    (entry.role === 'agent' || entry.role === 'user') &&
    typeof entry.text === 'string' &&
    typeof entry.final === 'boolean'
  );
}

/** Checks what `sendText` was given; throws INVALID_ARGUMENT naming the fault. */
export function checkAgentText(text: unknown, data: unknown, provider: string): void {
  const invalid = (message: string) => new VoiceError('INVALID_ARGUMENT', message, { provider });
  if (typeof text !== 'string' || text.trim() === '') throw invalid('The text for the agent must be a non-empty string.');
  if (text.length > MAX_TEXT_CHARS) throw invalid(`The text for the agent is longer than ${MAX_TEXT_CHARS} characters.`);
  if (data === undefined) return;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw invalid('The data for the agent must be a plain object.');
  let json: string;
  try {
    json = JSON.stringify(data);
  } catch {
    throw invalid('The data for the agent cannot be written as JSON.');
  }
  if (json.length > MAX_DATA_JSON_CHARS) throw invalid(`The data for the agent is larger than ${MAX_DATA_JSON_CHARS} characters of JSON.`);
}

function toolOutput(output: unknown, provider: string): string {
  if (typeof output === 'string') return output;
  try {
    const json = JSON.stringify(output);
    if (typeof json === 'string') return json;
  } catch {
    /* reported below */
  }
  throw new VoiceError('INVALID_ARGUMENT', 'A tool result must be text or a JSON-able value.', { provider });
}

/** The secret-free trace data of an agent event: who and whether final, never the words. */
export function agentTraceData(type: 'transcript' | 'agentToolCall', payload: TranscriptEntry | AgentToolCall): Record<string, string | boolean> {
  if (type === 'transcript') {
    const entry = payload as TranscriptEntry;
    return { role: entry.role, final: entry.final };
  }
  return { name: (payload as AgentToolCall).name };
}
