// `npm run demo`: starts the lab (Kamailio, the Cognigy backend, the Telnyx and Sendbird
// emulators), opens the softphone for every provider in headless Chromium and drives a real call
// by clicking its buttons. Prints each provider's trace, time to connected, call setup and the
// audio received; saves a mid-call screenshot under demo/out/. Then, on SIP.js (the provider whose
// capabilities offer them in the lab), call waiting, a blind and an attended transfer through the call list. `--serve` keeps it all up for a person.
// `--browser firefox` (or POLYPHONE_BROWSER=firefox) runs the tour in Firefox ESR instead.
import { launchBrowser } from '../lab/browser/index.mjs';
import { engineFrom } from '../lab/browser/engines.mjs';
import { PROVIDERS, startDemoLab } from './lab.mjs';
import { startDemoServer } from './server.mjs';
import { runSipjsNodeDemo } from './sipjs-node.mjs';
import { demoAttendedTransfer, demoBlindTransfer, demoCall, demoCallWaiting } from './drive.mjs';

const serve = process.argv.includes('--serve');
const only = process.argv.find((a) => a.startsWith('--provider='))?.split('=')[1];
const browserArg = process.argv.indexOf('--browser');
const engine = engineFrom(process.argv.find((a) => a.startsWith('--browser='))?.split('=')[1] ?? (browserArg > 0 ? process.argv[browserArg + 1] : undefined));

// A person gets the same address every time (SOFTPHONE_PORT to change it).
const SOFTPHONE_PORT = Number(process.env.SOFTPHONE_PORT ?? 5180);

const lab = await startDemoLab();
let server;
try {
  server = await startDemoServer(lab.presets, serve ? { port: SOFTPHONE_PORT } : {});
} catch (error) {
  await lab.stop();
  if (error?.code !== 'EADDRINUSE') throw error;
  console.error(`Port ${SOFTPHONE_PORT} is taken: stop what uses it, or run SOFTPHONE_PORT=<port> npm run softphone.`);
  process.exit(1);
}
const browser = await launchBrowser({ engine });
console.log(`browser: ${engine}`);
let failed = false;
try {
  if (serve) {
    console.log(`softphone: ${server.url}demo`);
    console.log(`  lab presets: ${lab.presets.map((p) => p.id).join(', ')} (pick one in the page, or open ${server.url}demo?preset=<id>)`);
    console.log('  or type your own config string and credentials: they stay in the page\'s memory, never in the URL or storage');
    console.log('Ctrl-C to stop');
    await new Promise((resolve) => process.once('SIGINT', resolve));
  } else {
    if (!only) await runSipjsNodeDemo();
    const rows = [];
    for (const provider of only ? [only] : PROVIDERS) {
      try {
        const r = await demoCall(browser, server.url, provider);
        rows.push(r);
        console.log(`\n${provider}: connected in ${r.timings.connectMs.toFixed(0)} ms, call setup ${r.timings.callSetupMs.toFixed(0)} ms`);
        console.log(`  callee received ${r.heard.packetsReceived} audio packets (energy ${r.heard.totalAudioEnergy.toFixed(3)}); caller received ${r.callerHeard.packetsReceived} (energy ${r.callerHeard.totalAudioEnergy.toFixed(3)})`);
        console.log(`  screenshot ${r.screenshot}`);
        for (const line of r.trace) console.log(`    ${line}`);
      } catch (error) {
        failed = true;
        console.error(`\n${provider}: FAILED ${error?.stack ?? error}`);
      }
    }
    if (!only || only === 'sipjs') {
      for (const [name, tour] of [['call waiting', demoCallWaiting], ['blind transfer', demoBlindTransfer], ['attended transfer', demoAttendedTransfer]]) {
        try {
          const r = await tour(browser, server.url, 'sipjs');
          console.log(`\nsipjs ${name}: ${Object.entries(r.steps).map(([step, v]) => `${step} ${Array.isArray(v) ? v.join(', ') : `${v.packets} packets / energy ${v.energy.toFixed(3)}`}`).join('; ')}`);
          for (const [who, trace] of Object.entries(r.traces)) console.log(`  ${who}: ${trace.filter((l) => l.startsWith('call#')).join(' · ')}`);
        } catch (error) {
          failed = true;
          console.error(`\nsipjs ${name}: FAILED ${error?.stack ?? error}`);
        }
      }
    }
    console.log('\nprovider   connected  call setup  packets in  energy in');
    for (const r of rows) {
      console.log(`${r.provider.padEnd(10)} ${`${r.timings.connectMs.toFixed(0)} ms`.padStart(9)}  ${`${r.timings.callSetupMs.toFixed(0)} ms`.padStart(10)}  ${String(r.heard.packetsReceived).padStart(10)}  ${r.heard.totalAudioEnergy.toFixed(3).padStart(9)}`);
    }
  }
} finally {
  await browser.close();
  await server.stop();
  await lab.stop();
}
process.exit(failed ? 1 : 0);
