// Page-side helpers for tests with several calls per client: a call is named by its id (the `#n`
// of the trace) and found in `client.calls`, so calls the core made itself (a REFER followed, an
// INVITE with Replaces) are reachable too.
import type { PageClient } from '../support/browser-clients.js';
import { sleep, type AudioStats } from '../support/audio.js';

/** The matrix rows of the transfer scenarios (transfer-scenario.ts; pinned in expected-matrix.ts). */
export const TRANSFER_ROWS = ['transfer: blind', 'transfer: blind to a user nobody registered', 'transfer: attended'] as const;

export type CallMethod = 'answer' | 'hold' | 'unhold' | 'hangup' | 'transfer';

/** Runs a method on a live call by id; 'ok' or the VoiceError code. `arg` is a target, or `#n` for another call. */
export function onCall(client: PageClient, id: number, method: CallMethod, arg?: string): Promise<string> {
  return client.page.evaluate(
    async ([name, callId, m, a]) => {
      const calls = (window as any).__clients[name].client.calls as any[];
      const call = calls.find((c) => c.id === callId);
      if (!call) return 'NO_SUCH_CALL';
      const target = typeof a === 'string' && a.startsWith('#') ? calls.find((c) => c.id === Number(a.slice(1))) : a;
      try {
        await call[m](target);
        return 'ok';
      } catch (error: any) {
        return error?.code ?? String(error);
      }
    },
    [client.name, id, method, arg] as const,
  );
}

/** Inbound audio of one live call, through that call's own getStats(). */
export function callAudio(client: PageClient, id: number): Promise<AudioStats> {
  return client.page.evaluate(
    async ([name, callId]) => {
      const call = ((window as any).__clients[name].client.calls as any[]).find((c) => c.id === callId);
      const report: RTCStatsReport | undefined = await call?.getStats();
      const out = { packetsReceived: 0, totalAudioEnergy: 0 };
      report?.forEach((s: any) => {
        if (s.type === 'inbound-rtp' && (s.kind ?? s.mediaType) === 'audio') {
          out.packetsReceived += s.packetsReceived ?? 0;
          out.totalAudioEnergy += s.totalAudioEnergy ?? 0;
        }
      });
      return out;
    },
    [client.name, id] as const,
  );
}

/** Waits (bounded, 10 s) for one call's inbound audio to rise over a 500 ms window; returns the last window. */
export async function callHears(client: PageClient, id: number): Promise<{ packets: number; energy: number }> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const before = await callAudio(client, id);
    await sleep(500);
    const after = await callAudio(client, id);
    const window = { packets: after.packetsReceived - before.packetsReceived, energy: after.totalAudioEnergy - before.totalAudioEnergy };
    if ((window.packets >= 10 && window.energy > 1e-4) || Date.now() > deadline) return window;
  }
}

/** `client.calls` as `#id state` lines. */
export function callStates(client: PageClient): Promise<string[]> {
  return client.page.evaluate((name) => (window as any).__clients[name].client.calls.map((c: any) => `#${c.id} ${c.state}`), client.name);
}

/** The id of the client's newest live call (the `#n` of its trace lines). */
export async function latestCallId(client: PageClient): Promise<number> {
  const id = await client.page.evaluate((name) => ((window as any).__clients[name].client.calls as any[]).at(-1)?.id as number | undefined, client.name);
  if (id === undefined) throw new Error(`${client.name} has no live call`);
  return id;
}
