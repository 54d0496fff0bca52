// `npm run demo`: starts the lab and drives polyphone through it, printing traces and timings.
import { runSipjsNodeDemo } from './sipjs-node.mjs';

const result = await runSipjsNodeDemo();
if (!result.trace.includes('client registered')) {
  console.error('demo: the SIP.js client did not register');
  process.exit(1);
}
