// The lab agent: what answers a Cognigy call on the lab gateway (Kamailio routes the agent
// addresses to it). A SIP user agent (JsSIP) in a headless Chromium page with the fake
// microphone: it registers, answers every call with audio, and records each INVITE's
// Request-URI and headers, the DTMF and INFO it receives and how each call ended.

export const AGENT_USER = 'lab_agent';

/**
 * @typedef {object} AgentInvite
 * @property {string} requestUri the Request-URI the caller dialled (Kamailio's X-Lab-Request-URI)
 * @property {string} to the To URI
 * @property {string} from the From URI
 * @property {Record<string, string[]>} headers every header, by name as received
 * @property {string} body the SDP offer
 *
 * @typedef {{ tone: string, contentType: string | null }} AgentDtmf
 * @typedef {{ contentType: string, body: string }} AgentInfo
 * @typedef {{ originator: string, cause: string, reason: string | null, method: string | null }} AgentEnd
 *
 * @typedef {object} LabAgent
 * @property {import('playwright-core').Page & { inboundAudio(): Promise<{ packetsReceived: number, totalAudioEnergy: number }> }} page
 * @property {() => Promise<{ invites: AgentInvite[], dtmf: AgentDtmf[], infos: AgentInfo[], ends: AgentEnd[], active: number }>} record
 * @property {(predicate: string, timeoutMs?: number) => Promise<void>} waitFor a JS expression over `window.__agent`
 * @property {(body: string, contentType?: string) => Promise<void>} sendInfo an INFO on the current call (a transcript)
 * @property {() => Promise<void>} hangup ends the current call from the agent's side
 * @property {(target: string, waitMs?: number) => Promise<string[]>} refer a transfer by the gateway:
 *   REFER on the current call; resolves with what the agent heard back within `waitMs`
 *   ('requestSucceeded' for the 202, 'accepted'/'failed:<status>' from the NOTIFYs)
 * @property {(target: string, waitMs?: number) => Promise<string>} inviteReplacing a new INVITE to `target`
 *   with Replaces naming the current call; resolves with how it ended within `waitMs`
 *   ('accepted', 'failed:<status>', or 'no answer')
 * @property {() => Promise<void>} stop
 */

/**
 * @param {{ browser: { newPage(): Promise<LabAgent['page']> }, kamailio: { wsUrl: string, domain: string, users: Record<string, string> } }} options
 * @returns {Promise<LabAgent>}
 */
export async function startLabAgent({ browser, kamailio }) {
  const password = kamailio.users[AGENT_USER];
  if (!password) throw new TypeError(`startLabAgent: Kamailio has no ${AGENT_USER} user (start it with cognigyGateway())`);
  const page = await browser.newPage();
  await page.evaluate(agentMain, { wsUrl: kamailio.wsUrl, uri: `sip:${AGENT_USER}@${kamailio.domain}`, password });
  return {
    page,
    record: () => page.evaluate(() => {
      const a = window.__agent;
      return { invites: a.invites, dtmf: a.dtmf, infos: a.infos, ends: a.ends, active: a.sessions.filter((s) => !s.isEnded()).length };
    }),
    waitFor: (predicate, timeoutMs = 10_000) => page.waitForFunction(`(() => { const agent = window.__agent; return ${predicate}; })()`, undefined, { timeout: timeoutMs }).then(() => {}),
    sendInfo: (body, contentType = 'application/json') =>
      page.evaluate(([b, t]) => {
        const session = window.__agent.sessions.find((s) => s.isEstablished());
        if (!session) throw new Error('the agent has no established call');
        session.sendInfo(t, b);
      }, /** @type {const} */ ([body, contentType])),
    hangup: () =>
      page.evaluate(() => {
        for (const session of window.__agent.sessions) if (!session.isEnded()) session.terminate();
      }),
    refer: (target, waitMs = 5_000) =>
      page.evaluate(
        ([t, wait]) =>
          new Promise((resolve) => {
            const session = window.__agent.sessions.find((s) => s.isEstablished());
            if (!session) throw new Error('the agent has no established call');
            /** @type {string[]} */
            const heard = [];
            setTimeout(() => resolve(heard), wait);
            session.refer(t, {
              eventHandlers: {
                requestSucceeded: () => heard.push('requestSucceeded'),
                requestFailed: (e) => heard.push(`requestFailed:${e.response?.status_code ?? e.cause}`),
                accepted: () => heard.push('accepted'),
                failed: (e) => heard.push(`failed:${e.status_line?.status_code ?? e.cause ?? ''}`),
              },
            });
          }),
        /** @type {const} */ ([target, waitMs]),
      ),
    inviteReplacing: (target, waitMs = 5_000) =>
      page.evaluate(
        ([t, wait]) =>
          new Promise((resolve) => {
            const agent = window.__agent;
            const current = agent.sessions.find((s) => s.isEstablished());
            if (!current) throw new Error('the agent has no established call');
            const { call_id, local_tag, remote_tag } = current._dialog.id;
            const timer = setTimeout(() => resolve('no answer'), wait);
            agent.ua.call(t, {
              mediaConstraints: { audio: true, video: false },
              pcConfig: { iceServers: [] },
              extraHeaders: [`Replaces: ${call_id};to-tag=${remote_tag};from-tag=${local_tag}`],
              eventHandlers: {
                accepted: () => {
                  clearTimeout(timer);
                  resolve('accepted');
                },
                failed: (/** @type {{ message?: { status_code?: number }, cause?: string }} */ e) => {
                  clearTimeout(timer);
                  resolve(`failed:${e.message?.status_code ?? e.cause}`);
                },
              },
            });
          }),
        /** @type {const} */ ([target, waitMs]),
      ),
    stop: async () => {
      await page.evaluate(() => window.__agent?.ua.stop()).catch(() => {});
      await page.context().close().catch(() => {});
    },
  };
}

// Runs in the page (a lab page: window.rawVendors.jssip loads JsSIP), so it closes over nothing.
/**
 * What the agent reads of an incoming INVITE (a JsSIP IncomingRequest).
 * @typedef {{ headers: Record<string, Array<{ raw: string }>>, getHeader(name: string): string | undefined, ruri: object,
 *   to: { uri: object }, from: { uri: object }, body?: string }} AgentRequest
 */
/** @param {{ wsUrl: string, uri: string, password: string }} config */
async function agentMain(config) {
  const module = await window.rawVendors.jssip();
  const JsSIP = module.default ?? module;
  const ua = new JsSIP.UA({
    sockets: [new JsSIP.WebSocketInterface(config.wsUrl)],
    uri: config.uri,
    password: config.password,
    register: true,
    session_timers: false,
  });
  /** @type {Window['__agent']} */
  const agent = { ua, sessions: [], invites: [], dtmf: [], infos: [], ends: [] };
  window.__agent = agent;
  ua.on('newRTCSession', (/** @type {{ originator: string, session: unknown, request: unknown }} */ { originator, session: rtcSession, request: rtcRequest }) => {
    if (originator !== 'remote') return;
    // What the agent reads of JsSIP's session and request (its typings leave out the dialog the
    // Replaces header needs).
    const session = /** @type {LabAgentSession} */ (rtcSession);
    agent.sessions.push(session);
    const request = /** @type {AgentRequest} */ (rtcRequest);
    /** @type {Record<string, string[]>} */
    const headers = {};
    for (const [name, values] of Object.entries(request.headers)) headers[name] = values.map((h) => h.raw);
    agent.invites.push({
      requestUri: request.getHeader('X-Lab-Request-URI') ?? request.ruri.toString(),
      to: request.to.uri.toString(),
      from: request.from.uri.toString(),
      headers,
      body: request.body ?? '',
    });
    session.on('newDTMF', (e) => {
      if (e.originator === 'remote') agent.dtmf.push({ tone: String(e.dtmf.tone), contentType: e.request?.getHeader('Content-Type') ?? null });
    });
    session.on('newInfo', (e) => {
      if (e.originator === 'remote') agent.infos.push({ contentType: e.info.contentType, body: e.info.body });
    });
    const end = (/** @type {{ originator: string, cause: string, message?: { getHeader?(name: string): string | undefined, method?: string } }} */ e) =>
      agent.ends.push({
        originator: e.originator,
        cause: e.cause,
        reason: e.message?.getHeader?.('Reason') ?? null,
        method: e.message?.method ?? null,
      });
    session.on('ended', end);
    session.on('failed', end);
    session.answer({ mediaConstraints: { audio: true, video: false }, pcConfig: { iceServers: [] } });
  });
  await new Promise((resolve, reject) => {
    ua.once('registered', resolve);
    ua.once('registrationFailed', (e) => reject(new Error(`lab agent not registered: ${e.cause}`)));
    ua.start();
  });
}
