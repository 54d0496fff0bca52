import type { CallEvents } from './events.js';
import { errorData } from './trace.js';
import { agentTraceData } from './agent/conversation.js';

/**
 * What of a call event goes into the trace: secret-free data, or undefined for an event kept out
 * (a quality sample a second would drown the trace, and a partial utterance is traced only once
 * it is final: a streamed reply must not flood the log; warnings and reconnection are traced).
 */
export function callTraceData<K extends keyof CallEvents>(type: K, payload: CallEvents[K]): Record<string, string | number | boolean> | undefined {
  if (type === 'quality' || (type === 'transcript' && !(payload as CallEvents['transcript']).final)) return undefined;
  const data: Record<string, string | number | boolean> = {};
  if (type === 'stateChanged') Object.assign(data, payload);
  else if (type === 'ended') {
    const p = payload as CallEvents['ended'];
    data.reason = p.reason;
    Object.assign(data, errorData(p.error));
  } else if (type === 'transferred' || type === 'referred') data.target = (payload as CallEvents['transferred']).target;
  else if (type === 'held' || type === 'unheld') data.by = (payload as CallEvents['held']).by;
  else if (type === 'dtmf') data.digit = (payload as CallEvents['dtmf']).digit;
  else if (type === 'error') Object.assign(data, errorData((payload as CallEvents['error']).error));
  else if (type === 'transcript' || type === 'agentToolCall') Object.assign(data, agentTraceData(type, payload as never));
  else if (type === 'qualityWarning' || type === 'qualityWarningCleared') data.name = (payload as CallEvents['qualityWarning']).name;
  return data;
}
