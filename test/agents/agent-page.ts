// Agent listeners for a call inside a lab page: every `transcript` and `agentToolCall` event is kept
// in the page, and tool calls are answered with a fixed result, so a test reads them back as JSON.
import type { Page } from 'playwright-core';

export interface TranscriptEvent {
  id: string;
  role: 'agent' | 'user';
  text: string;
  final: boolean;
}

/** `findCall(window)` must return the polyphone Call object; it runs in the page. */
export async function watchAgent(page: Page, findCall: string, toolResult: Record<string, unknown>): Promise<void> {
  await page.evaluate(
    ([find, result]) => {
      const call = new Function('window', `return (${find})(window)`)(window);
      const agent = { transcript: [] as unknown[], tools: [] as unknown[], answers: [] as unknown[], call };
      (window as any).__agent = agent;
      call.on('transcript', (e: unknown) => agent.transcript.push({ ...(e as object) }));
      call.on('agentToolCall', (e: any) => {
        agent.tools.push({ id: e.id, name: e.name, arguments: e.arguments });
        e.respond({ ...(result as object), for: e.arguments }).then(
          () => agent.answers.push('ok'),
          (error: any) => agent.answers.push(error?.code ?? 'error'),
        );
      });
    },
    [findCall, toolResult] as const,
  );
}

export function agentRecord(page: Page): Promise<{ transcript: TranscriptEvent[]; tools: Array<{ id: string; name: string; arguments: unknown }>; answers: string[]; final: TranscriptEvent[]; state: string }> {
  return page.evaluate(() => {
    const a = (window as any).__agent;
    return { transcript: a.transcript, tools: a.tools, answers: a.answers, final: a.call.transcript, state: a.call.state };
  });
}

/** `call.sendText(text, data)` in the page: 'ok' or the VoiceError code. */
export function sendText(page: Page, text: unknown, data?: unknown): Promise<string> {
  return page.evaluate(
    ([t, d]) =>
      (window as any).__agent.call.sendText(t, d).then(
        () => 'ok',
        (e: any) => e?.code ?? 'NOT_VOICE_ERROR',
      ),
    [text, data] as const,
  );
}

/** The utterances as a reader sees them: final lines only, `role: text`. */
export function finalLines(events: TranscriptEvent[]): string[] {
  return events.filter((e) => e.final).map((e) => `${e.role}: ${e.text}`);
}
