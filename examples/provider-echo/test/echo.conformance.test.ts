// polyphone's conformance suite on the echo provider, run the way any provider package runs it:
// `polyphone/conformance` from the installed polyphone, this package's own lab, its own vitest.
import { fileURLToPath } from 'node:url';
import { closedLoopbackPort, defineConformanceSuite, type Citation } from 'polyphone/conformance';
import { startExchange } from '../lab/exchange.mjs';

const NO_SUCH_MESSAGE: Citation = {
  why: 'the echo exchange has no message for it: its wire is login, refresh, invite, answer, reject and bye',
  source: 'lab/exchange.mjs (the message switch)',
};
const NO_AGENT: Citation = { why: 'the echo exchange connects people only: there is no AI agent to transcribe or talk to', source: 'lab/exchange.mjs' };

defineConformanceSuite({
  name: 'echo',
  providerModule: fileURLToPath(new URL('../src/echo.ts', import.meta.url)),
  async startLab() {
    const exchange = await startExchange();
    const user = (name: string, token = exchange.issueToken(name), server = exchange.url) => ({ provider: 'echo', server, user: name, credentials: { type: 'jwt', token }, iceServers: [] });
    return {
      caller: user('alice'),
      callee: user('bob'),
      target: 'bob',
      wrongCredentials: user('alice', 'forged-echo-token'),
      unreachable: user('alice', undefined, `ws://127.0.0.1:${await closedLoopbackPort()}`),
      refreshWith: () => ({ type: 'jwt', token: exchange.issueToken('alice') }),
      restartServer: () => exchange.restart(),
      stop: () => exchange.stop(),
    };
  },
  // What echo declares away, why, and the cells that therefore turn `unsupported`: every other
  // scenario must pass.
  expected: {
    lacks: {
      hold: NO_SUCH_MESSAGE,
      remoteHold: NO_SUCH_MESSAGE,
      dtmf: NO_SUCH_MESSAGE,
      receiveDtmf: NO_SUCH_MESSAGE,
      anonymous: { why: 'every echo user logs in with a token', source: 'lab/exchange.mjs (login)' },
      agentTranscript: NO_AGENT,
      agentText: NO_AGENT,
      agentTools: NO_AGENT,
    },
    cells: { hold: { unsupported: 'hold' }, 'far end sees hold': { unsupported: 'hold' }, DTMF: { unsupported: 'dtmf' }, 'DTMF received': { unsupported: 'dtmf' } },
  },
});
