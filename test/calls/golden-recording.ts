// One whole SIP.js call (caller and callee) on a real Kamailio in Chromium, normalised: the trace
// test/conformance/golden/basic-call.json holds. Shared by the test that compares against the
// golden file (golden-trace.test.ts, which never writes it) and the explicit update command
// (`npm run golden:update`, scripts/golden-update.record.ts), which is the only writer.
import { fileURLToPath } from 'node:url';
import { startKamailio, TEST_USERS } from '../../lab/kamailio/index.mjs';
import { launchBrowser } from '../../lab/browser/index.mjs';
import type { Page } from 'playwright-core';
import { closePage, endedLines } from '../support/browser-clients.js';
import { runBasicCallScenario, type BasicCallTrace } from '../support/basic-call-scenario.js';
import { scanForSecrets } from '../support/secrets.js';

export const GOLDEN_BASIC_CALL = fileURLToPath(new URL('../conformance/golden/basic-call.json', import.meta.url));

type LabPage = Page & { pageErrors: string[]; consoleLines: string[] };

/** The run's trace, and what is wrong with it whatever the golden file says (empty: nothing). */
export async function recordBasicCall(): Promise<{ trace: BasicCallTrace; problems: string[] }> {
  const lab: { wsUrl: string; domain: string; stop(): Promise<void> } = await startKamailio();
  const browser: { newPage(): Promise<LabPage>; close(): Promise<void> } = await launchBrowser();
  const sip = (user: 'alice' | 'bob', extra: Record<string, unknown> = {}) => ({
    provider: 'sipjs',
    server: lab.wsUrl,
    uri: `sip:${user}@${lab.domain}`,
    credentials: { type: 'password', password: TEST_USERS[user] },
    iceServers: [],
    ...extra,
  });
  try {
    const callerPage = await browser.newPage();
    const calleePage = await browser.newPage();
    try {
      const run = await runBasicCallScenario({
        // SIP INFO: the one DTMF transport whose digits a browser callee can surface.
        caller: { page: callerPage, name: 'caller', config: sip('alice', { dtmfTransport: 'info' }) },
        callee: { page: calleePage, name: 'callee', config: sip('bob') },
        target: `sip:bob@${lab.domain}`,
      });
      const trace: BasicCallTrace = { caller: run.caller, callee: run.callee };
      const problems: string[] = [];
      for (const [who, side] of Object.entries(trace)) {
        if (endedLines(side).length !== 1) problems.push(`${who}: ${endedLines(side).length} ended lines`);
        for (const line of side.filter((l: string) => / error( |$)/.test(l) || (l.startsWith('op ') && !l.endsWith(' ok')))) problems.push(`${who}: ${line}`);
      }
      for (const e of run.ops.entries.filter((e) => e.outcome !== 'ok')) problems.push(`${e.client} ${e.op} ${e.outcome}`);
      for (const error of [...callerPage.pageErrors, ...calleePage.pageErrors]) problems.push(`page error: ${error.slice(0, 200)}`);
      const leaks = scanForSecrets([trace, callerPage.consoleLines, calleePage.consoleLines], Object.values(TEST_USERS as Record<string, string>));
      for (const leak of leaks) problems.push(`a secret at ${leak.path}`);
      return { trace, problems };
    } finally {
      await closePage(callerPage);
      await closePage(calleePage);
    }
  } finally {
    await browser.close();
    await lab.stop();
  }
}
