// The one set-up the several-calls scenarios (call-waiting-scenario.ts, transfer-scenario.ts) share:
// a provider's lab where alice, bob and carol are users who can call each other, one Chromium
// page per user, every page closed after each test with no uncaught page error.
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../lab/browser/index.mjs';
import { PageClient, closePage } from '../support/browser-clients.js';
import type { AudioStats } from '../support/audio.js';

export type LabPage = Page & { pageErrors: string[]; inboundAudio(): Promise<AudioStats & Record<string, number>> };
export type User = 'alice' | 'bob' | 'carol';
export type Party = PageClient & { page: LabPage };

/** Three users of one provider who can reach each other. */
export interface SeveralCallsLab {
  /** The client config of `user` (the scenario adds `maxCalls` and the like). */
  config(user: User): Record<string, unknown>;
  /** What `call()` and `transfer()` are given to reach `user` (or a user nobody registered). */
  address(user: User | 'nobody'): string;
  /** Where the lab can see a call offered that the scenario cannot (Sendbird's server log): checks it. */
  checkOffered?(): void;
  stop(): Promise<void>;
}

/** Starts the lab and a browser around every test of the calling file; returns how to connect a user. */
export function useSeveralCallsLab(startLab: () => Promise<SeveralCallsLab>): { lab(): SeveralCallsLab; connected(user: User, extra?: Record<string, unknown>): Promise<Party> } {
  let lab: SeveralCallsLab;
  let browser: { newPage(): Promise<LabPage>; close(): Promise<void> };
  let pages: LabPage[] = [];
  beforeAll(async () => {
    lab = await startLab();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
  });
  afterEach(async () => {
    const opened = pages;
    pages = [];
    await Promise.all(opened.map((p) => closePage(p)));
    expect(opened.flatMap((p) => p.pageErrors)).toEqual([]);
  });
  return {
    lab: () => lab,
    async connected(user, extra = {}) {
      const page = await browser.newPage();
      pages.push(page);
      const client = await PageClient.create(page, user, { ...lab.config(user), ...extra });
      await client.connect();
      return client as Party;
    },
  };
}

// Bound per test: on a machine shared with other browsers a call scenario can take minutes.
export const SLOW_TEST_MS = 180_000;
/** A trace line may take longer than the harness's 10 s default to appear on a loaded machine. */
export const PATIENT_WAIT = { timeoutMs: 30_000 };
