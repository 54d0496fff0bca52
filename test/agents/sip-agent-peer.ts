// A SIP peer playing the AI agent, in its own lab page, on raw sip.js (not polyphone): it registers,
// answers the call (fake-microphone audio back), records every INFO it receives (Content-Type and
// body) and sends INFOs with whatever body a test gives — the `_transcription` bodies Cognigy's voice
// gateway sends, or malformed ones.
import type { Page } from 'playwright-core';

export interface ReceivedInfo {
  contentType: string;
  body: string;
}

export async function startSipAgent(page: Page, options: { wsUrl: string; uri: string; user: string; password: string }): Promise<void> {
  await page.evaluate(async ({ wsUrl, uri, user, password }) => {
    const SIP = (await (window as any).rawVendors.sipjs()) as any;
    const agent: any = { infos: [] as unknown[], session: undefined, state: 'idle' };
    (window as any).__sipAgent = agent;
    const ua = new SIP.UserAgent({
      uri: SIP.UserAgent.makeURI(uri),
      transportOptions: { server: wsUrl },
      authorizationUsername: user,
      authorizationPassword: password,
      logLevel: 'error',
      sessionDescriptionHandlerFactoryOptions: { peerConnectionConfiguration: { iceServers: [] } },
      delegate: {
        onInvite(invitation: any) {
          agent.session = invitation;
          invitation.stateChange.addListener((s: string) => (agent.state = s));
          invitation.delegate = {
            onInfo(info: any) {
              agent.infos.push({ contentType: String(info.request.getHeader('Content-Type') ?? ''), body: String(info.request.body ?? '') });
              info.accept();
            },
          };
          invitation.accept({ sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } } });
        },
      },
    });
    agent.ua = ua;
    await ua.start();
    const registerer = new SIP.Registerer(ua);
    await new Promise<void>((resolve, reject) => {
      registerer.stateChange.addListener((s: string) => s === 'Registered' && resolve());
      registerer.register({ requestDelegate: { onReject: () => reject(new Error('agent REGISTER refused')) } }).catch(reject);
    });
  }, options);
}

/** Sends one in-dialog INFO from the agent; resolves with the final response's status code. */
export function agentSendsInfo(page: Page, contentType: string, body: string): Promise<number> {
  return page.evaluate(
    ([type, content]) =>
      new Promise<number>((resolve, reject) => {
        const session = (window as any).__sipAgent.session;
        session
          .info({
            requestDelegate: { onAccept: (r: any) => resolve(r.message.statusCode), onReject: (r: any) => resolve(r.message.statusCode) },
            requestOptions: { body: { contentDisposition: 'render', contentType: type, content } },
          })
          .catch(reject);
      }),
    [contentType, body] as const,
  );
}

export function agentInfos(page: Page): Promise<ReceivedInfo[]> {
  return page.evaluate(() => (window as any).__sipAgent.infos as ReceivedInfo[]);
}

/** The `_transcription` body Cognigy's voice gateway sends. */
export function transcriptionBody(originator: 'bot' | 'user', ...texts: string[]): string {
  return JSON.stringify({ _transcription: { originator, messages: texts.map((text) => ({ text })) } });
}
