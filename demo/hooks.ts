// The softphone's own small hooks for what polyphone/react does not hand out yet (a call's
// quality samples and levels, the device lists, an agent transcript, an event log): each
// subscribes in an effect and unsubscribes on cleanup, like the bindings' store.
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { AudioDeviceList, Call, QualitySample, TranscriptEntry, VoiceClient } from '../src/all.js';

const never = () => () => {};

/** A call's state, live (also once the call has left the client's list, i.e. `ended`). */
export function useCallState(call: Call | undefined): string {
  return useSyncExternalStore(
    (notify) => (call ? call.on('stateChanged', notify) : never()),
    () => call?.state ?? 'none',
    () => 'none',
  );
}

/** The latest quality sample of `call` (undefined where the provider gives none yet). */
export function useCallQuality(call: Call | undefined): QualitySample | undefined {
  return useSyncExternalStore(
    (notify) => (call ? call.on('quality', notify) : never()),
    () => call?.quality,
    () => undefined,
  );
}

/** The call's output level (0..1), about ten times a second while it has audio. */
export function useOutputLevel(call: Call | undefined): number {
  const [level, setLevel] = useState(0);
  useEffect(() => {
    setLevel(0);
    if (!call) return;
    const off = call.on('audioLevel', ({ output }) => setLevel(output));
    const offEnd = call.on('ended', () => setLevel(0));
    return () => {
      off();
      offEnd();
    };
  }, [call]);
  return level;
}

/** The microphones and speakers (labels once the microphone was granted), kept current. */
export function useDeviceLists(client: VoiceClient | undefined, connected: boolean): AudioDeviceList | undefined {
  const [lists, setLists] = useState<AudioDeviceList | undefined>(undefined);
  useEffect(() => {
    if (!client || !connected) return;
    let live = true;
    client.devices.list().then((l) => live && setLists(l), () => {});
    const off = client.devices.on('devicesChanged', (l) => setLists(l));
    return () => {
      live = false;
      off();
    };
  }, [client, connected]);
  return lists;
}

/** One line per utterance of the call's agent: a partial update replaces the line of its id. */
export function useTranscript(call: Call | undefined): readonly TranscriptEntry[] {
  const [entries, setEntries] = useState<readonly TranscriptEntry[]>([]);
  useEffect(() => {
    setEntries([]);
    if (!call) return;
    const offs = [
      call.on('transcript', (entry) => setEntries((list) => (list.some((e) => e.id === entry.id) ? list.map((e) => (e.id === entry.id ? entry : e)) : [...list, entry]))),
      call.on('agentToolCall', ({ respond }) => void respond({ error: 'the demo softphone has no tools' }).catch(() => {})),
    ];
    return () => offs.forEach((off) => off());
  }, [call]);
  return entries;
}

const CLIENT_EVENTS = ['stateChanged', 'registered', 'unregistered', 'incomingCall', 'callRefused', 'tokenWillExpire', 'tokenRefreshed', 'providerChanged', 'error'] as const;
const CALL_EVENTS = ['stateChanged', 'ringing', 'active', 'muted', 'unmuted', 'held', 'unheld', 'dtmf', 'transferred', 'referred', 'ended', 'error', 'audioBlocked'] as const;

/** Event payloads for the log: errors by their code, calls by their id; never a credential. */
const printable = (event: unknown) =>
  JSON.stringify(event, (key, value) => (key === 'error' && value ? value.code : key === 'call' && value && typeof value === 'object' ? `call#${value.id}` : value));

/**
 * Writes the client's and every call's events to `log`, and measures each call's setup (from the
 * moment the call is known to `active`) into `timings.callSetupMs`.
 */
export function useEventLog(client: VoiceClient | undefined, calls: readonly Call[], log: (line: string) => void, timings: Record<string, number>): void {
  useEffect(() => {
    if (!client) return;
    const offs = CLIENT_EVENTS.map((type) => client.on(type, (event: unknown) => log(`client ${type} ${type === 'incomingCall' ? `from ${(event as { from: string }).from}` : printable(event)}`)));
    return () => offs.forEach((off) => off());
  }, [client, log]);

  const [watched] = useState(() => new WeakSet<Call>());
  useEffect(() => {
    for (const call of calls) {
      if (watched.has(call)) continue;
      watched.add(call);
      const seenAt = performance.now();
      // An ended call emits nothing more; its handlers go with it.
      for (const type of CALL_EVENTS) {
        call.on(type, (event: unknown) => {
          if (type === 'active') timings.callSetupMs = performance.now() - seenAt;
          log(`call#${call.id} ${type} ${printable(event)}`);
        });
      }
    }
  }, [calls, log, timings, watched]);
}
