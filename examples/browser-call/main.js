// A vanilla browser app: sign in to a SIP server, place and receive calls. Built with Vite:
// `npm i polyphone sip.js && npx vite build`.
import { createVoiceClient } from 'polyphone';
import { sipjs } from 'polyphone/sipjs';

const $ = (id) => document.getElementById(id);
const audioElement = $('remote');
const status = (text) => ($('status').textContent = text);
let client;

$('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const password = String(form.get('password') ?? '');
  client = await createVoiceClient(
    {
      provider: 'sipjs',
      server: String(form.get('server')),
      uri: String(form.get('uri')),
      // Kept in memory only: never in the URL or in storage.
      credentials: password ? { type: 'password', password } : { type: 'anonymous' },
    },
    { providers: [sipjs] },
  );
  client.on('stateChanged', ({ to }) => status(to));
  client.on('callStarted', ({ call }) => call.on('stateChanged', ({ to }) => status(`call ${to}`)));
  client.on('incomingCall', ({ call, from, displayName }) => {
    $('caller').textContent = displayName ?? from;
    $('incoming').hidden = false;
    $('answer').onclick = () => call.answer({ audioElement }).catch((e) => status(e.code));
    $('reject').onclick = () => call.reject().catch((e) => status(e.code));
    call.on('ended', () => ($('incoming').hidden = true));
  });
  try {
    await client.connect();
    $('dial').hidden = false;
  } catch (error) {
    status(`${error.code}: ${error.message}`);
  }
});

$('dial').addEventListener('submit', async (event) => {
  event.preventDefault();
  const target = String(new FormData(event.target).get('target'));
  const call = await client.call(target, { audioElement }).catch((e) => status(e.code));
  call?.on('ended', ({ reason }) => status(`ended: ${reason}`));
});
$('hangup').addEventListener('click', () => client?.hangup());

window.exampleReady = true;
