// A registration bot in Node: registers a SIP user, answers "busy" to every caller (Node has no
// media), re-registers when the server comes back, and stops cleanly on Ctrl-C.
//   SIP_SERVER=wss://pbx.example.com/ws SIP_URI=sip:bot@example.com SIP_PASSWORD=… node bot.mjs
// Node 20 needs the `ws` package for the WebSocket (npm i ws); Node 22+ has one built in.
import { createVoiceClient } from 'polyphone';
import { sipjs } from 'polyphone/sipjs';

const { SIP_SERVER, SIP_URI, SIP_PASSWORD, BOT_ONCE } = process.env;
if (!SIP_SERVER || !SIP_URI || !SIP_PASSWORD) {
  console.error('Set SIP_SERVER, SIP_URI and SIP_PASSWORD.');
  process.exit(2);
}

const client = await createVoiceClient(
  { provider: 'sipjs', server: SIP_SERVER, uri: SIP_URI, credentials: { type: 'password', password: SIP_PASSWORD } },
  { providers: [sipjs] },
);
client.on('stateChanged', ({ to }) => console.log(`state ${to}`));
client.on('registered', () => console.log('registered'));
client.on('incomingCall', ({ call, from }) => {
  console.log(`call from ${from}: busy`);
  call.reject({ status: 486 }).catch((error) => console.error(error.code));
});
client.on('error', ({ error }) => console.error(`error ${error.code}: ${error.message}`));

const stop = async () => {
  await client.disconnect();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

try {
  await client.connect();
} catch (error) {
  console.error(`could not connect: ${error.code}: ${error.message}`);
  process.exit(1);
}
if (BOT_ONCE) await stop();
