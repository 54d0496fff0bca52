// The smallest polyphone session: a SIP.js client registers on a private Kamailio, in Node.
// Prints the normalised event trace and the time to registered.
import { createVoiceClient, normalizeTrace } from '../dist/all.js';
import { startKamailio, TEST_USERS, DOMAIN } from '../lab/kamailio/index.mjs';

export async function runSipjsNodeDemo(log = console.log) {
  const lab = await startKamailio();
  try {
    const client = await createVoiceClient({
      provider: 'sipjs',
      server: lab.wsUrl,
      uri: `sip:alice@${DOMAIN}`,
      credentials: { type: 'password', password: TEST_USERS.alice },
    });
    const started = performance.now();
    await client.connect();
    const registeredMs = performance.now() - started;
    await client.disconnect();
    log(`sipjs (Node, ${lab.wsUrl}): registered in ${registeredMs.toFixed(1)} ms`);
    for (const line of normalizeTrace(client.trace())) log(`  ${line}`);
    return { registeredMs, trace: normalizeTrace(client.trace()) };
  } finally {
    await lab.stop();
  }
}
