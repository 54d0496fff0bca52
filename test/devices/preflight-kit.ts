// What every preflight test shares: running preflight() in a lab page (the report or the code it
// rejected with, and how many peer connections it left open), and a lossy network for the
// `degraded` verdict — coturn behind one lab/network impairment relay.
import type { Page } from 'playwright-core';
// @ts-ignore plain ESM lab helper
import { startTurn } from '../../lab/network/turn.mjs';
// @ts-ignore plain ESM lab helper
import { startRelay } from '../../lab/network/relay.mjs';
// @ts-ignore plain ESM lab helper
import { makeRelayOnly } from '../../lab/network/index.mjs';

export type LabBrowser = { newPage(): Promise<Page & { pageErrors: string[] }>; close(): Promise<void> };

export interface PreflightRun {
  config: unknown;
  abortAfterMs?: number;
  forceRelay?: boolean;
  mediaTestMs?: number;
}

/** Runs in the page: the report, or the error code it rejected with; and what is left open. */
export async function runPreflight(args: PreflightRun) {
  const w = window as any;
  const controller = new AbortController();
  if (args.abortAfterMs !== undefined) setTimeout(() => controller.abort(), args.abortAfterMs);
  let outcome: any;
  try {
    const options = { signal: controller.signal, mediaTestMs: args.mediaTestMs ?? 2_000, forceRelay: args.forceRelay ?? false };
    outcome = { report: await w.polyphone.preflight(args.config, options) };
  } catch (error: any) {
    outcome = { error: error?.code ?? String(error) };
  }
  const open = (w.__pcs ?? []).filter((pc: RTCPeerConnection) => pc.signalingState !== 'closed').length;
  return { ...outcome, open } as { report?: any; error?: string; open: number };
}

/** A fresh page of `browser`, the preflight run in it, the page closed. */
export async function preflightIn(browser: LabBrowser, run: PreflightRun, prepare?: (page: Page) => Promise<void>) {
  const page = await browser.newPage();
  try {
    await prepare?.(page);
    const outcome = await page.evaluate(runPreflight, run);
    return { ...outcome, pageErrors: [...page.pageErrors] };
  } finally {
    await page.context().close();
  }
}

export interface LossyNetwork {
  /** The TURN URL a browser is given: through the impairment relay to coturn. */
  iceServers: RTCIceServer[];
  turnCredential: string;
  relay: {
    impair(settings: { loss?: number }, direction?: 'up' | 'down' | 'both'): void;
    restore(): void;
    state(): { up: { forwarded: number } };
  };
  /**
   * The page's only TURN server is the relay and every peer connection is relay-only, whatever
   * the config says: how a vendor that takes its TURN server from its own server (Sendbird) is
   * put on the lossy path, as in the quality scenarios (turnFromPage, lab/network relayOnlyInitScript).
   */
  relayOnly(page: Page): Promise<void>;
  stop(): Promise<void>;
}

export async function startLossyNetwork(): Promise<LossyNetwork> {
  const turn = await startTurn();
  const relay = await startRelay({ targetPort: turn.port }).catch(async (error: unknown) => {
    await turn.stop();
    throw error;
  });
  const iceServers = [{ urls: `turn:127.0.0.1:${relay.port}?transport=udp`, username: turn.username, credential: turn.credential }];
  return {
    iceServers,
    turnCredential: turn.credential,
    relay,
    relayOnly: (page) => makeRelayOnly(page, { iceServers }),
    async stop() {
      await relay.stop();
      await turn.stop();
    },
  };
}

/**
 * Heavy loss for the `degraded` verdict: both loopback ends use the one relay, so a media packet
 * crosses it twice (1 − 0.9² ≈ 19 % end to end, far over the 5 % limit). Not heavier: the TURN
 * allocations and ICE checks cross it too, and at much higher loss the loopback may not connect
 * within the media test at all (then `media-failed`, a different reason).
 */
export const HEAVY_LOSS_PER_CROSSING = 0.1;
