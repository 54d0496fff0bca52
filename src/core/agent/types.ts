/**
 * What an AI agent on the far end of a call says and asks, the same shape for every vendor:
 * Cognigy's voice gateway (SIP INFO `_transcription`), Telnyx's AI assistants (`ai_conversation`
 * frames), or any SIP peer that speaks the Cognigy INFO bodies.
 */

/** Who said it: the AI agent, or the caller (as the agent's speech recognition heard them). */
export type TranscriptRole = 'agent' | 'user';

/**
 * One utterance. Partial updates of an utterance share its `id` and carry its whole text so far
 * (not a delta); the last update of an utterance has `final: true`, and none follows it.
 */
export interface TranscriptEntry {
  id: string;
  role: TranscriptRole;
  text: string;
  final: boolean;
}

/** JSON the app passes along with a text, or receives as a tool's arguments. */
export type AgentData = Record<string, unknown>;

/**
 * The agent asks the app to run one of its tools (Telnyx: a `function_call` item). The agent
 * waits for `respond`; call it once, with text or a JSON-able value.
 */
export interface AgentToolCall {
  /** The vendor's id of this call (Telnyx `call_id`); the answer goes back under it. */
  id: string;
  name: string;
  /** The arguments, parsed from the vendor's JSON. */
  arguments: AgentData;
  respond(output: string | AgentData): Promise<void>;
}

/**
 * Absent means false: a provider written before agents existed declares none of them.
 * - `agentTranscript`: the call emits `transcript` events.
 * - `agentText`: `call.sendText()` reaches the agent.
 * - `agentTools`: the agent's tool calls arrive as `agentToolCall` events.
 */
export interface AgentCapabilities {
  agentTranscript?: boolean;
  agentText?: boolean;
  agentTools?: boolean;
}

export const AGENT_CAPABILITIES_NONE: Required<AgentCapabilities> = { agentTranscript: false, agentText: false, agentTools: false };

/**
 * What a provider reports about the agent, on the call's sink. Optional so the sinks that ignore a
 * call (a second caller turned away, a failover member not in use) need not name them.
 */
export interface AgentCallSink {
  /** A whole utterance or a partial update of one (same id); the core orders and de-duplicates. */
  transcript?(entry: TranscriptEntry): void;
  /** The agent asks for a tool; the core answers through `ProviderCall.respondToolCall`. */
  toolCall?(request: { id: string; name: string; arguments: AgentData }): void;
}

/** What a provider implements where its vendor has it. */
export interface AgentProviderCall {
  sendText?(text: string, data: AgentData | undefined): Promise<void>;
  /** `output` is already text (JSON for a value). */
  respondToolCall?(id: string, output: string): Promise<void>;
}

export type AgentCallEvents = {
  transcript: TranscriptEntry;
  agentToolCall: AgentToolCall;
};
