// Fuzzes the agent INFO bodies SIP providers read (src/providers/sip/agent-info.ts): whatever the
// body, reading never throws, a reading is either a transcript with text lines or a drop with a
// reason, and a drop's warning carries no part of the body. Fixed seed, bounded count.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SipAgentInfo, readAgentInfo } from '../../src/providers/sip/agent-info.js';
import type { CallSink, TranscriptEntry } from '../../src/all.js';
import { FUZZ_SEED, fuzzRuns, tally } from '../reliability/fuzz-support.js';

const RUNS = fuzzRuns();
const anyJson = fc.jsonValue({ maxDepth: 4 });
const message = fc.oneof(fc.record({ text: fc.oneof(fc.string({ maxLength: 30 }), anyJson) }), anyJson);
const body = fc.oneof(
  fc.record({ originator: fc.oneof(fc.constantFrom('bot', 'user'), anyJson), messages: fc.oneof(fc.array(message, { maxLength: 5 }), anyJson) }).map((t) => JSON.stringify({ _transcription: t })),
  fc.record({ _transcription: anyJson, other: anyJson }).map((v) => JSON.stringify(v)),
  anyJson.map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  fc.integer({ min: 8_000, max: 30_000 }).map((n) => JSON.stringify({ _transcription: { originator: 'bot', messages: [{ text: 'w'.repeat(n) }] } })),
  fc.constantFrom('', '{', 'null', '[]', '{"_transcription":null}'),
);

describe('fuzzed agent INFO bodies', () => {
  it(`${RUNS} generated bodies (seed ${FUZZ_SEED + 23}): never a throw, a well-formed reading, a warning without the words`, () => {
    const bodies = fc.sample(body, { seed: FUZZ_SEED + 23, numRuns: RUNS });
    const entries: TranscriptEntry[] = [];
    const warnings: string[] = [];
    const sink = { transcript: (e: TranscriptEntry) => entries.push(e) } as unknown as CallSink;
    const agent = new SipAgentInfo(sink, (_level, message, data) => warnings.push(message + JSON.stringify(data ?? {})), 'sipjs');
    const kinds: string[] = [];
    for (const b of bodies) {
      const reading = readAgentInfo(b);
      kinds.push(reading.kind === 'dropped' ? reading.reason : 'transcript');
      if (reading.kind === 'transcript') {
        expect(['agent', 'user']).toContain(reading.role);
        expect(reading.texts.length).toBeGreaterThan(0);
        for (const t of reading.texts) expect(typeof t).toBe('string');
      }
      expect(() => agent.onInfo(b)).not.toThrow();
    }
    for (const e of entries) expect(e).toEqual({ id: expect.stringMatching(/^info-\d+$/), role: expect.stringMatching(/^(agent|user)$/), text: expect.any(String), final: true });
    for (const w of warnings) expect(w).toMatch(/^sipjs: agent INFO dropped: [a-zA-Z_ ]+\.\{"chars":\d+\}$/);
    expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
    console.info(`fuzz agent INFO: ${bodies.length} bodies (seed ${FUZZ_SEED + 23}); readings ${JSON.stringify(tally(kinds))}`);
  });

  it('the same line from the same side within a second is a repeat (as Cognigy SDK drops it); the other side is not', () => {
    const entries: TranscriptEntry[] = [];
    const agent = new SipAgentInfo({ transcript: (e: TranscriptEntry) => entries.push(e) } as unknown as CallSink, () => {}, 'sipjs');
    const line = (originator: string, text: string) => JSON.stringify({ _transcription: { originator, messages: [{ text }] } });
    agent.onInfo(line('bot', 'Hi'));
    agent.onInfo(line('bot', 'Hi'));
    agent.onInfo(line('user', 'Hi'));
    expect(entries.map((e) => `${e.id} ${e.role} ${e.text}`)).toEqual(['info-1 agent Hi', 'info-2 user Hi']);
  });
});
