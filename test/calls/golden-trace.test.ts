// The normalised trace of a whole SIP.js call (caller and callee) must equal the golden file
// every provider is held to. `UPDATE_GOLDEN=1 npx vitest run test/calls/golden-trace.test.ts`
// rewrites it from a real run; review the diff by eye before committing it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM lab helper without type declarations
import { startKamailio, TEST_USERS } from '../../lab/kamailio/index.mjs';
// @ts-expect-error plain ESM lab helper without type declarations
import { launchBrowser } from '../../lab/browser/index.mjs';
import type { Page } from 'playwright-core';
import { closePage, endedLines } from '../support/browser-clients.js';
import { runBasicCallScenario, type BasicCallTrace } from '../support/basic-call-scenario.js';
import { scanForSecrets } from '../support/secrets.js';

const GOLDEN = fileURLToPath(new URL('../conformance/golden/basic-call.json', import.meta.url));

type LabPage = Page & { pageErrors: string[]; consoleLines: string[] };
let lab: { wsUrl: string; domain: string; stop(): Promise<void> };
let browser: { newPage(): Promise<LabPage>; close(): Promise<void> };

beforeAll(async () => {
  lab = await startKamailio();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await lab?.stop();
});

const sip = (user: 'alice' | 'bob', extra: Record<string, unknown> = {}) => ({
  provider: 'sipjs',
  server: lab.wsUrl,
  uri: `sip:${user}@${lab.domain}`,
  credentials: { type: 'password', password: TEST_USERS[user] },
  iceServers: [],
  ...extra,
});

describe('golden trace of a whole call (SIP.js)', () => {
  it('caller and callee traces equal test/conformance/golden/basic-call.json', async () => {
    const callerPage = await browser.newPage();
    const calleePage = await browser.newPage();
    try {
      const run = await runBasicCallScenario({
        // SIP INFO: the one DTMF transport whose digits a browser callee can surface.
        caller: { page: callerPage, name: 'caller', config: sip('alice', { dtmfTransport: 'info' }) },
        callee: { page: calleePage, name: 'callee', config: sip('bob') },
        target: `sip:bob@${lab.domain}`,
      });
      const actual: BasicCallTrace = { caller: run.caller, callee: run.callee };

      // Checks that hold whatever the golden file says.
      for (const side of [actual.caller, actual.callee]) {
        expect(endedLines(side)).toHaveLength(1);
        expect(side.filter((l) => / error( |$)/.test(l))).toEqual([]);
        expect(side.filter((l) => l.startsWith('op ') && !l.endsWith(' ok'))).toEqual([]);
      }
      expect(run.ops.entries.every((e) => e.outcome === 'ok')).toBe(true);
      expect([...callerPage.pageErrors, ...calleePage.pageErrors]).toEqual([]);
      expect(scanForSecrets([actual, callerPage.consoleLines, calleePage.consoleLines], Object.values(TEST_USERS as Record<string, string>))).toEqual([]);

      if (process.env.UPDATE_GOLDEN === '1' || !existsSync(GOLDEN)) {
        writeFileSync(GOLDEN, `${JSON.stringify(actual, null, 2)}\n`);
      }
      const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as BasicCallTrace;
      expect(actual).toEqual(golden);
    } finally {
      await closePage(callerPage);
      await closePage(calleePage);
    }
  });
});
