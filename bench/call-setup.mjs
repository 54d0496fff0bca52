// Call-setup time in headless Chromium over the lab Kamailio: from `call()` to `active`, and from
// `call()` to the first received audio packet. polyphone's SIP.js provider against raw sip.js,
// interleaved on the same lab (same Kamailio, same browser, same auto-answering callee).
//
//   node bench/call-setup.mjs [--runs 10]
//
// Prints medians (and min/max) per variant and the ratios polyphone / raw. A script, not a test:
// figures depend on the machine.
import { startKamailio, TEST_USERS } from '../lab/kamailio/index.mjs';
import { launchBrowser } from '../lab/browser/index.mjs';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 10;
if (!Number.isInteger(RUNS) || RUNS < 1 || RUNS > 100) throw new Error('--runs must be 1..100');
const STEP_TIMEOUT_MS = 10_000;
const PAUSE_MS = 300;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// ---- code that runs in the pages (no closure over Node) ----

/** Waits in the page until `pc` has received an inbound audio packet; returns performance.now(). */
const FIRST_PACKET_SOURCE = `async (getPc, deadline) => {
  for (;;) {
    const pc = getPc();
    if (pc) {
      const report = await pc.getStats();
      let packets = 0;
      report.forEach((s) => { if (s.type === 'inbound-rtp' && (s.kind ?? s.mediaType) === 'audio') packets += s.packetsReceived ?? 0; });
      if (packets > 0) return performance.now();
    }
    if (performance.now() > deadline) throw new Error('no inbound audio packet');
    await new Promise((r) => setTimeout(r, 2));
  }
}`;

async function setUpCallee(page, config) {
  await page.evaluate(async (cfg) => {
    const client = await window.polyphone.createVoiceClient(cfg);
    client.on('incomingCall', ({ call }) => void call.answer().catch(() => {}));
    await client.connect();
    window.__callee = client;
  }, config);
}

async function setUpPolyphoneCaller(page, config) {
  await page.evaluate(
    async ([cfg, firstPacket]) => {
      const client = await window.polyphone.createVoiceClient(cfg);
      await client.connect();
      const waitFirstPacket = (0, eval)(`(${firstPacket})`);
      window.__placeCall = async (target, timeoutMs) => {
        const started = performance.now();
        const deadline = started + timeoutMs;
        let activeAt;
        let call;
        const active = new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('not active in time')), timeoutMs);
          client.call(target).then((c) => {
            call = c;
            const done = () => {
              clearTimeout(timer);
              activeAt ??= performance.now();
              resolve();
            };
            if (c.state === 'active') done();
            c.on('active', done);
            c.on('ended', ({ reason }) => reject(new Error(`ended ${reason}`)));
          }, reject);
        });
        await active;
        // The peer connection behind the handle, through the lab's record of every RTCPeerConnection.
        const pc = window.__pcs.at(-1);
        const firstPacketAt = await waitFirstPacket(() => pc, deadline);
        await call.hangup();
        return { activeMs: activeAt - started, firstPacketMs: firstPacketAt - started };
      };
    },
    [config, FIRST_PACKET_SOURCE],
  );
}

async function setUpRawCaller(page, { wsUrl, domain, user, password }) {
  await page.evaluate(
    async ([wsUrl, domain, user, password, firstPacket]) => {
      const SIP = await window.rawVendors.sipjs();
      const ua = new SIP.UserAgent({
        uri: SIP.UserAgent.makeURI(`sip:${user}@${domain}`),
        authorizationUsername: user,
        authorizationPassword: password,
        transportOptions: { server: wsUrl },
        logLevel: 'error',
        sessionDescriptionHandlerFactoryOptions: { peerConnectionConfiguration: { iceServers: [] } },
      });
      await ua.start();
      const registerer = new SIP.Registerer(ua);
      await new Promise((resolve, reject) => {
        registerer.stateChange.addListener((s) => s === SIP.RegistererState.Registered && resolve());
        registerer.register({ requestDelegate: { onReject: () => reject(new Error('REGISTER refused')) } }).catch(reject);
      });
      const waitFirstPacket = (0, eval)(`(${firstPacket})`);
      window.__placeCall = async (target, timeoutMs) => {
        const started = performance.now();
        const deadline = started + timeoutMs;
        const inviter = new SIP.Inviter(ua, SIP.UserAgent.makeURI(target), {
          sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } },
        });
        let activeAt;
        const established = new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('not established in time')), timeoutMs);
          inviter.stateChange.addListener((state) => {
            if (state === SIP.SessionState.Established) {
              clearTimeout(timer);
              activeAt = performance.now();
              resolve();
            } else if (state === SIP.SessionState.Terminated) reject(new Error('terminated'));
          });
        });
        await inviter.invite();
        await established;
        const firstPacketAt = await waitFirstPacket(() => inviter.sessionDescriptionHandler?.peerConnection, deadline);
        await inviter.bye();
        return { activeMs: activeAt - started, firstPacketMs: firstPacketAt - started };
      };
    },
    [wsUrl, domain, user, password, FIRST_PACKET_SOURCE],
  );
}

// ---- the run ----

const lab = await startKamailio();
const browser = await launchBrowser();
try {
  const sip = (user) => ({
    provider: 'sipjs',
    server: lab.wsUrl,
    uri: `sip:${user}@${lab.domain}`,
    credentials: { type: 'password', password: TEST_USERS[user] },
    iceServers: [],
  });
  const [calleePage, polyPage, rawPage] = [await browser.newPage(), await browser.newPage(), await browser.newPage()];
  await setUpCallee(calleePage, sip('bob'));
  await setUpPolyphoneCaller(polyPage, sip('alice'));
  await setUpRawCaller(rawPage, { wsUrl: lab.wsUrl, domain: lab.domain, user: 'carol', password: TEST_USERS.carol });
  const target = `sip:bob@${lab.domain}`;
  const variants = { polyphone: polyPage, 'raw sip.js': rawPage };
  const results = { polyphone: [], 'raw sip.js': [] };

  // One warm-up call each (page JIT, codec set-up), not counted.
  for (const page of Object.values(variants)) {
    await page.evaluate(([t, ms]) => window.__placeCall(t, ms), [target, STEP_TIMEOUT_MS]);
    await new Promise((r) => setTimeout(r, PAUSE_MS));
  }
  for (let i = 0; i < RUNS; i++) {
    // Interleaved, alternating who goes first, so drift on the machine hits both alike.
    const order = i % 2 === 0 ? ['polyphone', 'raw sip.js'] : ['raw sip.js', 'polyphone'];
    for (const name of order) {
      results[name].push(await variants[name].evaluate(([t, ms]) => window.__placeCall(t, ms), [target, STEP_TIMEOUT_MS]));
      await new Promise((r) => setTimeout(r, PAUSE_MS));
    }
  }

  const errors = [calleePage, polyPage, rawPage].flatMap((p) => p.pageErrors);
  if (errors.length > 0) throw new Error(`page errors: ${errors.join('\n')}`);

  const summary = {};
  for (const [name, rows] of Object.entries(results)) {
    const active = rows.map((r) => r.activeMs);
    const packet = rows.map((r) => r.firstPacketMs);
    summary[name] = { active: median(active), packet: median(packet) };
    console.log(
      `${name.padEnd(11)} call()→active median ${median(active).toFixed(0)} ms (min ${Math.min(...active).toFixed(0)}, max ${Math.max(...active).toFixed(0)}); ` +
        `call()→first audio packet median ${median(packet).toFixed(0)} ms (min ${Math.min(...packet).toFixed(0)}, max ${Math.max(...packet).toFixed(0)})`,
    );
  }
  const p = summary.polyphone;
  const r = summary['raw sip.js'];
  console.log(`ratio polyphone/raw: active ×${(p.active / r.active).toFixed(2)}, first packet ×${(p.packet / r.packet).toFixed(2)}  (${RUNS} calls each, interleaved)`);
} finally {
  await browser.close();
  await lab.stop();
}
