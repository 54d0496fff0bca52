// What a lab page is, whichever engine runs it. Chromium hands out a Playwright Page with the lab's
// additions; Firefox (firefox.mjs) a wrapper over puppeteer that answers the Playwright calls the
// tests make. Code that runs on both takes a LabPage; code that needs more of Playwright (routes,
// keyboard, websocket events) takes a ChromiumLabPage, which only a Chromium launch gives.
import type { Page } from 'playwright-core';

/** The audio counters of every open peer connection of a page, summed (the receiver's getStats()). */
export type AudioStats = { packetsReceived: number; packetsSent: number; totalAudioEnergy: number; bytesReceived: number; bytesSent: number; pcs: number };

export type WaitForAudioOptions = { minPackets?: number; timeoutMs?: number; since?: Pick<AudioStats, 'packetsReceived' | 'totalAudioEnergy'> };

/** The lab's own additions, the same on both engines. */
export interface LabPageAdditions {
  /** Everything the page logged, and its uncaught errors, as text. */
  consoleLines: string[];
  pageErrors: string[];
  inboundAudio(): Promise<AudioStats>;
  outboundAudio(): Promise<AudioStats>;
  /** Resolves once audio with energy arrives (more than `since`); rejects after `timeoutMs`. */
  waitForAudio(options?: WaitForAudioOptions): Promise<AudioStats>;
}

/** The part of Playwright's Page both engines answer, with Playwright's signatures. */
export interface LabPage extends LabPageAdditions {
  evaluate: Page['evaluate'];
  waitForFunction<Arg>(pageFunction: string | ((arg: Arg) => unknown), arg: Arg, options?: { timeout?: number }): Promise<{ jsonValue(): Promise<unknown> }>;
  waitForFunction(pageFunction: string | (() => unknown)): Promise<{ jsonValue(): Promise<unknown> }>;
  waitForSelector(selector: string, options?: { timeout?: number }): Promise<unknown>;
  click(selector: string): Promise<void>;
  goto(url: string): Promise<unknown>;
  addScriptTag(options: { url?: string; content?: string; type?: string }): Promise<unknown>;
  screenshot(options?: { path?: string; fullPage?: boolean }): Promise<unknown>;
  isClosed(): boolean;
  close(): Promise<void>;
  /** Closes the user (its browser context). */
  context(): { close(): Promise<void> };
}

/** What driving a page harness needs (any Playwright Page has it too, with or without the lab's additions). */
export type HarnessPage = Pick<LabPage, 'evaluate' | 'waitForFunction' | 'isClosed' | 'context'>;

/** A Chromium lab page: all of Playwright's Page, and the lab's additions. */
export type ChromiumLabPage = Page & LabPageAdditions;

export type PageOptions = { url?: string; waitFor?: string; playRemoteAudio?: boolean };

/** What launchBrowser() gives: one browser, a new user (context and page) per newPage(). */
export interface LabBrowser<P extends LabPage = LabPage> {
  readonly engine: 'chromium' | 'firefox';
  newPage(options?: PageOptions): Promise<P>;
  close(): Promise<void>;
}
