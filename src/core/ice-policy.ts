/**
 * When a local description is good enough to send: one ICE policy for every provider.
 *
 * Gathering ends (`iceGatheringState === 'complete'`) only once every configured server has
 * answered or timed out, and a STUN server that never answers holds it for ~40 s in Chromium.
 * Nothing needs to wait that long, so the description is sent at the first of:
 * 1. gathering complete;
 * 2. every configured TURN server has given a relay candidate — or, with no TURN server, every
 *    STUN server a server-reflexive one. Once each relay is in, a STUN answer adds nothing ICE
 *    cannot learn anyway: the far end's connectivity checks reveal this side's reflexive address
 *    as a peer-reflexive candidate;
 * 3. `settleMs` after the first server-reflexive or relay candidate (some server answered; the
 *    others are given a short grace);
 * 4. `capMs` after gathering started, whatever came (host candidates only, at worst).
 * With no ICE servers only host candidates exist and (1) comes within milliseconds.
 * The gate that applies it (ice-gate.ts) is loaded with the providers, not with the core.
 */
import { VoiceError } from './errors.js';
import type { IcePolicy } from './contract.js';

export type { IcePolicy };

export const DEFAULT_ICE_POLICY: Readonly<IcePolicy> = Object.freeze({ settleMs: 150, capMs: 2_000 });

/** Why the gate opened, in the order of the rules above. */
export type IceReadyReason = 'complete' | 'servers-answered' | 'settled' | 'cap';

const LIMITS = { settleMs: [0, 60_000], capMs: [100, 60_000] } as const;

/** `icePolicy` from a config: a partial policy over the defaults; anything else is CONFIG_INVALID. */
export function parseIcePolicy(value: unknown): IcePolicy {
  if (value === undefined) return { ...DEFAULT_ICE_POLICY };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new VoiceError('CONFIG_INVALID', 'icePolicy must be an object like { settleMs, capMs }.', { details: { field: 'icePolicy' } });
  }
  const policy = { ...DEFAULT_ICE_POLICY };
  for (const [key, given] of Object.entries(value)) {
    if (!(key in LIMITS)) throw new VoiceError('CONFIG_INVALID', `icePolicy has no option "${key.slice(0, 40)}" (settleMs, capMs).`, { details: { field: 'icePolicy' } });
    const [low, high] = LIMITS[key as keyof IcePolicy];
    if (typeof given !== 'number' || !Number.isInteger(given) || given < low || given > high) {
      throw new VoiceError('CONFIG_INVALID', `icePolicy.${key} must be a whole number of ms from ${low} to ${high}.`, { details: { field: `icePolicy.${key}` } });
    }
    policy[key as keyof IcePolicy] = given;
  }
  return policy;
}
