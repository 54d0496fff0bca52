// The lab Kamailio must behave like a small real SIP service: digest registration, calls relayed
// between WebSocket clients, anonymous callers limited to registered users, and a lifecycle that
// never leaves a process behind. Checked with the real sip.js; only media is stubbed (Node has no
// WebRTC), because Kamailio relays SDP without reading it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  Inviter,
  Registerer,
  RegistererState,
  SessionState,
  UserAgent,
  type Invitation,
  type Session,
  type SessionDescriptionHandler,
  type SessionDescriptionHandlerFactory,
} from 'sip.js';
import { DOMAIN, TEST_USERS, loadUsers, startKamailio } from '../../lab/kamailio/index.mjs';

type Kamailio = Awaited<ReturnType<typeof startKamailio>>;

const FIXED_SDP = [
  'v=0',
  'o=- 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 9 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  'a=sendrecv',
  '',
].join('\r\n');

const fixedSdpHandler = (): SessionDescriptionHandler => ({
  close: () => undefined,
  getDescription: async () => ({ body: FIXED_SDP, contentType: 'application/sdp' }),
  hasDescription: (contentType: string) => contentType === 'application/sdp',
  setDescription: async () => undefined,
  sendDtmf: () => false,
});
const fixedSdpFactory: SessionDescriptionHandlerFactory = () => fixedSdpHandler();

/** sip.js types the status code as optional; a response always has one on the wire. */
const statusOf = (response: { message: { statusCode?: number } }): number => response.message.statusCode ?? -1;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function upgradeAnswers(wsUrl: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, 'sip');
    socket.once('open', () => {
      resolve(socket.protocol);
      socket.terminate();
    });
    socket.once('error', reject);
  });
}

describe('lab Kamailio lifecycle', () => {
  it('serves WebSocket upgrades once started and leaves no process after stop', async () => {
    const kamailio = await startKamailio();
    try {
      expect(kamailio.wsUrl).toBe(`ws://127.0.0.1:${kamailio.port}`);
      expect(kamailio.domain).toBe(DOMAIN);
      expect(kamailio.users).toEqual(TEST_USERS);
      expect(isAlive(kamailio.pid)).toBe(true);
      expect(await upgradeAnswers(kamailio.wsUrl)).toBe('sip');
      expect(kamailio.logs()).toContain(`:${kamailio.port}`);
    } finally {
      await kamailio.stop();
    }
    expect(() => process.kill(kamailio.pid, 0)).toThrow();
    await expect(upgradeAnswers(kamailio.wsUrl)).rejects.toThrow();
  });

  it('restarts on the same port with a new process', async () => {
    const kamailio = await startKamailio();
    try {
      const { port, pid: firstPid } = kamailio;
      await kamailio.restart();
      expect(kamailio.port).toBe(port);
      expect(kamailio.pid).not.toBe(firstPid);
      expect(isAlive(firstPid)).toBe(false);
      expect(await upgradeAnswers(kamailio.wsUrl)).toBe('sip');
    } finally {
      await kamailio.stop();
    }
    expect(isAlive(kamailio.pid)).toBe(false);
  });

  it('refuses a port that another server already holds', async () => {
    const first = await startKamailio();
    try {
      const second = startKamailio({ port: first.port, readyTimeoutMs: 2_000 });
      await expect(second).rejects.toThrow(/is not free/);
    } finally {
      await first.stop();
    }
  });

  it('reports a Kamailio that dies at start-up with its log, and cleans up', async () => {
    // 1 MB of shared memory is too little for tm's tables: Kamailio exits during module init.
    const failing = startKamailio({ sharedMemoryMB: 1 });
    await expect(failing).rejects.toThrow(/exited[\s\S]*Kamailio log[\s\S]*shared memory/);
  });

  it('rejects user names and passwords that cannot be written into the config', async () => {
    await expect(startKamailio({ users: { 'bad"name': 'x' } })).rejects.toThrow(/user name not allowed/);
    await expect(startKamailio({ users: { eve: 'has"quote' } })).rejects.toThrow(/printable ASCII/);
  });

  it('makes numbered load users', () => {
    const users = loadUsers(3);
    expect(users).toEqual({ load0: 'load-pw-0', load1: 'load-pw-1', load2: 'load-pw-2' });
    expect(Object.keys(loadUsers(1000))).toHaveLength(1000);
  });
});

describe('lab Kamailio as a SIP service (sip.js)', () => {
  let kamailio: Kamailio;
  const agents: UserAgent[] = [];

  beforeAll(async () => {
    kamailio = await startKamailio();
  });

  afterAll(async () => {
    await Promise.allSettled(agents.map((agent) => agent.stop()));
    await kamailio?.stop();
  });

  async function startAgent(user?: string, password?: string, onInvite?: (invitation: Invitation) => void): Promise<UserAgent> {
    const agent = new UserAgent({
      uri: user ? UserAgent.makeURI(`sip:${user}@${DOMAIN}`) : undefined,
      authorizationUsername: user,
      authorizationPassword: password,
      transportOptions: { server: kamailio.wsUrl },
      sessionDescriptionHandlerFactory: fixedSdpFactory,
      logLevel: 'error',
      delegate: onInvite ? { onInvite } : undefined,
    });
    agents.push(agent);
    await agent.start();
    return agent;
  }

  /** Registers and resolves with the final status code and the Contact the server echoed. */
  async function register(
    agent: UserAgent,
    expires = 60,
  ): Promise<{ registerer: Registerer; statusCode: number; contact: string | undefined }> {
    const registerer = new Registerer(agent, { expires });
    const final = await new Promise<{ statusCode: number; contact: string | undefined }>((resolve, reject) => {
      const settle = (response: { message: { statusCode?: number; getHeader(name: string): string | undefined } }) =>
        resolve({ statusCode: statusOf(response), contact: response.message.getHeader('contact') });
      registerer.register({ requestDelegate: { onAccept: settle, onReject: settle } }).catch(reject);
    });
    return { registerer, ...final };
  }

  async function registeredAgent(user: keyof typeof TEST_USERS, onInvite?: (invitation: Invitation) => void) {
    const agent = await startAgent(user, TEST_USERS[user], onInvite);
    const { registerer, statusCode } = await register(agent);
    expect(statusCode).toBe(200);
    await waitFor(() => registerer.state === RegistererState.Registered, `${user} registered`);
    return { agent, registerer };
  }

  /** Sends an INVITE and resolves with the final status code (2xx or rejection). */
  function invite(inviter: Inviter): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      inviter
        .invite({
          requestDelegate: {
            onAccept: (response) => resolve(statusOf(response)),
            onReject: (response) => resolve(statusOf(response)),
          },
        })
        .catch(reject);
    });
  }

  it('registers a user with the right password and its expiry, and unregisters with 200', async () => {
    const agent = await startAgent('alice', TEST_USERS.alice);
    const { registerer, statusCode, contact } = await register(agent, 60);
    expect(statusCode).toBe(200);
    expect(registerer.state).toBe(RegistererState.Registered);
    // The requested expiry is granted as is (the registrar's minimum is 10 s).
    expect(contact).toMatch(/;expires=60\b/);

    const unregisterStatus = await new Promise<number>((resolve, reject) => {
      registerer
        .unregister({
          requestDelegate: {
            onAccept: (response) => resolve(statusOf(response)),
            onReject: (response) => resolve(statusOf(response)),
          },
        })
        .catch(reject);
    });
    expect(unregisterStatus).toBe(200);
    await waitFor(() => registerer.state === RegistererState.Unregistered, 'alice unregistered');
  });

  it('answers 403 to a wrong password and to an unknown user', async () => {
    const wrongPassword = await register(await startAgent('alice', 'not-alice-pw'));
    expect(wrongPassword.statusCode).toBe(403);
    expect(wrongPassword.registerer.state).toBe(RegistererState.Unregistered);

    const unknownUser = await register(await startAgent('mallory', 'whatever-pw'));
    expect(unknownUser.statusCode).toBe(403);
  });

  it('lets an anonymous caller reach a registered user, and relays the 486 reject', async () => {
    let bobInvited: Invitation | undefined;
    await registeredAgent('bob', (invitation) => {
      bobInvited = invitation;
      void invitation.reject({ statusCode: 486 });
    });
    const anonymous = await startAgent();
    expect(anonymous.configuration.uri.host).toBe('anonymous.invalid');

    const target = UserAgent.makeURI(`sip:bob@${DOMAIN}`)!;
    const statusCode = await invite(new Inviter(anonymous, target));
    expect(bobInvited).toBeDefined();
    expect(bobInvited?.remoteIdentity.uri.host).toBe('anonymous.invalid');
    expect(statusCode).toBe(486);
  });

  it('answers 404 for a callee that is not registered, anonymous or authenticated', async () => {
    const target = UserAgent.makeURI(`sip:carol@${DOMAIN}`)!;
    expect(await invite(new Inviter(await startAgent(), target))).toBe(404);
    // alice goes through the 407 challenge first; sip.js answers it by itself.
    expect(await invite(new Inviter(await startAgent('alice', TEST_USERS.alice), target))).toBe(404);
  });

  it('relays CANCEL of a ringing call: callee sees the cancel, caller gets 487', async () => {
    let daveInvited: Invitation | undefined;
    await registeredAgent('dave', (invitation) => {
      daveInvited = invitation;
      void invitation.progress();
    });
    const caller = await startAgent('alice', TEST_USERS.alice);
    const inviter = new Inviter(caller, UserAgent.makeURI(`sip:dave@${DOMAIN}`)!);
    const finalStatus = invite(inviter);
    await waitFor(() => daveInvited !== undefined, 'INVITE at dave');
    await waitFor(() => inviter.state === SessionState.Establishing, 'caller establishing');
    // The CANCEL can only follow a provisional reply from dave through Kamailio.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await inviter.cancel();
    expect(await finalStatus).toBe(487);
    await waitFor(() => daveInvited?.state === SessionState.Terminated, 'dave terminated by CANCEL');
  });

  it('relays an authenticated call in dialog: 200/ACK, re-INVITE, INFO and BYE', async () => {
    let carolSession: Invitation | undefined;
    const carolInfos: string[] = [];
    let carolAcks = 0;
    await registeredAgent('carol', (invitation) => {
      carolSession = invitation;
      invitation.delegate = {
        onAck: () => {
          carolAcks += 1;
        },
        onInfo: (info) => {
          carolInfos.push(info.request.body);
          void info.accept();
        },
      };
      void invitation.accept();
    });
    const caller = await startAgent('bob', TEST_USERS.bob);
    const inviter = new Inviter(caller, UserAgent.makeURI(`sip:carol@${DOMAIN}`)!);
    expect(await invite(inviter)).toBe(200);
    await waitFor(() => inviter.state === SessionState.Established, 'caller established');
    await waitFor(() => carolSession?.state === SessionState.Established, 'callee established');
    // sip.js answers 500 to a re-INVITE that overtakes the initial ACK (RFC 6337 4.3), so the
    // ACK's arrival is awaited; it also proves the ACK for a 2xx is relayed in dialog.
    await waitFor(() => carolAcks === 1, 'ACK for 200 at callee');

    const reinviteStatus = await new Promise<number>((resolve, reject) => {
      (inviter as Session)
        .invite({
          requestDelegate: {
            onAccept: (response) => resolve(statusOf(response)),
            onReject: (response) => resolve(statusOf(response)),
          },
        })
        .catch(reject);
    });
    expect(reinviteStatus).toBe(200);
    await waitFor(() => carolAcks === 2, 'ACK for the re-INVITE at callee');

    const infoStatus = await new Promise<number>((resolve, reject) => {
      inviter
        .info({
          requestDelegate: {
            onAccept: (response) => resolve(statusOf(response)),
            onReject: (response) => resolve(statusOf(response)),
          },
          requestOptions: {
            body: { contentDisposition: 'render', contentType: 'application/dtmf-relay', content: 'Signal=5\r\nDuration=100\r\n' },
          },
        })
        .catch(reject);
    });
    expect(infoStatus).toBe(200);
    expect(carolInfos).toEqual(['Signal=5\r\nDuration=100\r\n']);

    await inviter.bye();
    await waitFor(() => carolSession?.state === SessionState.Terminated, 'callee terminated by BYE');
  });
});
