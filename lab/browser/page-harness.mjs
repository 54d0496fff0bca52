// The part of the test harness that runs inside a lab page. It is plain JavaScript installed from
// its source text, so no test-side transpiler can slip helpers into code that runs in Chromium.
// Provider-agnostic: it only talks to `window.polyphone`; a client's config is the one thing that
// differs between vendors. Every provider's browser tests drive their clients through it: the
// conformance kit's PageClient (fixed operations on a client's current call), and the Telnyx and
// Sendbird tests (any client or call method, named calls, what clients and calls emitted).

/**
 * Installs `window.__harness`, `window.__clients` (name → { client, call, calls, … }) and
 * `window.__calls` (call name → { call, events }: the calls of clients created with `record`).
 */
export function installPageHarness() {
  if (window.__harness) return;
  const clients = (window.__clients = {});
  const namedCalls = (window.__calls = {});
  const outcomeOf = (error) => {
    if (error && error.name === 'VoiceError' && typeof error.code === 'string') return error.code;
    return `THREW:${(error && error.name) || typeof error}`;
  };
  // An error as JSON: a VoiceError's toJSON(), or what can be read off anything else thrown.
  const errorJson = (error) =>
    error && typeof error.toJSON === 'function'
      ? error.toJSON()
      : { name: String(error && error.name), message: String(error && error.message), code: 'NOT_VOICE_ERROR' };
  // An event as plain data (it crosses to Node): streams named, errors as JSON.
  const plain = (event) =>
    JSON.parse(JSON.stringify({ ...event, error: event && event.error ? errorJson(event.error) : undefined }, (k, v) => (v instanceof MediaStream ? '[MediaStream]' : v)));
  const entryOf = (name) => {
    const entry = clients[name];
    if (!entry) throw new Error(`no client named ${name} in this page`);
    return entry;
  };
  const callOf = (entry) => {
    if (!entry.call) throw Object.assign(new Error('the client has no call'), { name: 'HarnessError' });
    return entry.call;
  };
  // `audioElement: true` in the options of call() or answer() stands for an element of the page
  // (an element cannot cross from Node): a new <audio>, kept as the client's, not in the document.
  const withElement = (entry, options) => {
    if (!options || options.audioElement !== true) return options;
    entry.audioElement = new Audio();
    return { ...options, audioElement: entry.audioElement };
  };
  const operations = {
    connect: (entry, args) => entry.client.connect(args[0]),
    disconnect: (entry) => entry.client.disconnect(),
    call: async (entry, args) => {
      const call = await entry.client.call(args[0], withElement(entry, args[1]));
      adopt(entry, call, args[2]);
    },
    clientHangup: (entry) => entry.client.hangup(),
    answer: (entry, args) => callOf(entry).answer(withElement(entry, args[0])),
    reject: (entry, args) => callOf(entry).reject(args[0]),
    hangup: (entry) => callOf(entry).hangup(),
    mute: (entry) => callOf(entry).mute(),
    unmute: (entry) => callOf(entry).unmute(),
    hold: (entry) => callOf(entry).hold(),
    unhold: (entry) => callOf(entry).unhold(),
    sendDtmf: (entry, args) => callOf(entry).sendDtmf(args[0]),
  };
  // The `ended` event with its error in full (the trace keeps only the code).
  const keepEnd = (entry, call) => {
    call.ended.then(({ reason, error }) => entry.ends.push({ reason, error: error ? error.toJSON() : undefined }));
  };
  const CALL_EVENTS = ['stateChanged', 'ringing', 'active', 'muted', 'unmuted', 'held', 'unheld', 'dtmf', 'ended', 'error'];
  const CLIENT_EVENTS = ['stateChanged', 'registered', 'unregistered', 'error', 'tokenWillExpire', 'tokenRefreshed'];
  /**
   * Makes `call` the client's current call. A recording client also names it (`callName`, or
   * `<client>:in` / `<client>:out`) and keeps its events, in its own list and in the client's.
   */
  const adopt = (entry, call, callName) => {
    entry.call = call;
    entry.calls.push(call);
    keepEnd(entry, call);
    if (!entry.record) return;
    const name = callName || `${entry.name}:${call.direction === 'incoming' ? 'in' : 'out'}`;
    const named = { call, events: [] };
    namedCalls[name] = named;
    for (const type of CALL_EVENTS) {
      call.on(type, (event) => {
        const line = { type, e: plain(event) };
        named.events.push(line);
        entry.events.push({ ...line, call: name, direction: call.direction });
      });
    }
  };
  const autoAnswers = {
    answer: (call) => call.answer(),
    reject: (call) => call.reject(),
    busy: (call) => call.reject({ status: 486 }),
  };
  const lines = (name) => window.polyphone.normalizeTrace(entryOf(name).client.trace());

  window.__harness = {
    /**
     * `harness.record`: keep the client's log lines, its events and its calls' events (`events()`,
     * `logs()`), name its calls, and answer or refuse incoming calls as `setAutoAnswer()` says.
     */
    async create(name, config, options, harness) {
      if (clients[name]) throw new Error(`a client named ${name} exists already`);
      const record = !!(harness && harness.record);
      const logs = [];
      const full = record && typeof config === 'object' && !Array.isArray(config) ? { ...config, logger: (line) => logs.push(JSON.stringify(line)) } : config;
      const client = await window.polyphone.createVoiceClient(full, options);
      const entry = { name, client, call: undefined, calls: [], ends: [], audioElement: undefined, record, logs, events: [], autoAnswer: undefined };
      clients[name] = entry;
      if (record) {
        for (const type of CLIENT_EVENTS) client.on(type, (event) => entry.events.push({ type, e: plain(event) }));
      }
      client.on('incomingCall', ({ call, from, displayName }) => {
        if (record) entry.events.push({ type: 'incomingCall', e: { from, displayName } });
        adopt(entry, call);
        const auto = entry.autoAnswer && autoAnswers[entry.autoAnswer];
        if (auto) auto(call).catch(() => {});
      });
      return { provider: client.provider };
    },

    /** How a recording client treats incoming calls: 'answer', 'reject', 'busy' (486), or undefined (ring). */
    setAutoAnswer(name, mode) {
      entryOf(name).autoAnswer = mode;
    },

    /** Makes a call the page obtained itself the client's current one (named, if recording). */
    adopt(name, call, callName) {
      adopt(entryOf(name), call, callName);
    },

    /**
     * Runs any method of a client (`on: { client }`), of a named call (`on: { call }`) or of a
     * client's current call (`on: { client, current: true }`). Never throws: the outcome says how
     * it went, with the error as JSON. A failure is also kept in the client's events.
     */
    async invoke(on, method, args) {
      const started = performance.now();
      const entry = on.client === undefined ? undefined : entryOf(on.client);
      try {
        let target;
        if (on.call !== undefined) {
          if (!namedCalls[on.call]) throw Object.assign(new Error(`no call named ${on.call}`), { name: 'HarnessError' });
          target = namedCalls[on.call].call;
        } else target = on.current ? callOf(entry) : entry.client;
        const given = args ?? [];
        const value = await target[method](...(entry ? given.map((arg) => withElement(entry, arg)) : given));
        if (method === 'call' && !on.current && on.call === undefined) adopt(entry, value, on.callName);
        return { ok: true, ms: performance.now() - started };
      } catch (error) {
        if (entry && entry.record) entry.events.push({ type: 'failure', e: { error: errorJson(error), method } });
        return { ok: false, ms: performance.now() - started, error: errorJson(error), stack: String(error && error.stack) };
      }
    },

    /** A recording client's events (its calls' carry `call`, the call's name), and its log lines. */
    events: (name) => entryOf(name).events,
    logs: (name) => entryOf(name).logs,
    /** A named call's events, its state, whether it has a remote stream (undefined: no such call). */
    callEvents: (callName) => (namedCalls[callName] ? namedCalls[callName].events : []),
    callState: (callName) => (namedCalls[callName] ? namedCalls[callName].call.state : undefined),
    hasRemoteStream: (callName) => Boolean(namedCalls[callName] && namedCalls[callName].call.remoteStream),
    /** Gives a named call another name (e.g. an incoming call the test tells apart from the next). */
    renameCall(from, to) {
      namedCalls[to] = namedCalls[from];
      delete namedCalls[from];
    },

    /** Runs one operation; never throws: the outcome is 'ok' or the VoiceError code. */
    async op(name, op, args) {
      const entry = entryOf(name);
      const run = operations[op];
      if (!run) throw new Error(`unknown operation ${op}`);
      // Where in the trace the operation began: events it causes come after this index.
      const index = entry.client.trace().length;
      try {
        await run(entry, args ?? []);
        return { outcome: 'ok', index };
      } catch (error) {
        const json = error && typeof error.toJSON === 'function' ? error.toJSON() : undefined;
        return { outcome: outcomeOf(error), index, message: String((error && error.message) || error), error: json };
      }
    },

    lines,

    /** Disconnects every client of the page (bounded), so no registration outlives a test. */
    async disconnectAll(timeoutMs) {
      const all = Object.values(clients).map((entry) =>
        Promise.race([entry.client.disconnect().catch(() => {}), new Promise((resolve) => setTimeout(resolve, timeoutMs))]),
      );
      await Promise.all(all);
    },

    ends: (name) => entryOf(name).ends,

    traceLength: (name) => entryOf(name).client.trace().length,

    /** Resolves with the trace once a line after `from` matches; rejects after `timeoutMs`. */
    waitForLine(name, source, flags, from, timeoutMs) {
      const pattern = new RegExp(source, flags);
      const started = Date.now();
      return new Promise((resolve, reject) => {
        const check = () => {
          const all = lines(name);
          if (all.slice(from).some((line) => pattern.test(line))) return resolve(all);
          if (Date.now() - started > timeoutMs) {
            return reject(new Error(`${name}: no trace line /${source}/ after line ${from} within ${timeoutMs} ms; trace:\n${all.join('\n')}`));
          }
          setTimeout(check, 20);
        };
        check();
      });
    },

    state(name) {
      const entry = entryOf(name);
      const call = entry.call;
      const element = entry.audioElement;
      return {
        audioElement: element
          ? { playing: !element.paused, playsRemoteStream: !!call && !!call.remoteStream && element.srcObject === call.remoteStream }
          : undefined,
        client: entry.client.state,
        capabilities: entry.client.capabilities,
        calls: entry.calls.length,
        call: call
          ? { state: call.state, muted: call.muted, endReason: call.endReason, direction: call.direction, peer: call.peer, hasRemoteStream: !!call.remoteStream }
          : undefined,
      };
    },

    /** Pauses the app's audio element given to call() or answer(). */
    pauseAudioElement(name) {
      const element = entryOf(name).audioElement;
      if (!element) throw new Error(`${name} was given no audioElement`);
      element.pause();
    },

    /** The current call's receiver stats, through the handle (proves getStats() passes through). */
    async callInboundAudio(name) {
      const call = callOf(entryOf(name));
      const report = await call.getStats();
      if (!report) return undefined;
      const out = { packetsReceived: 0, totalAudioEnergy: 0 };
      report.forEach((s) => {
        if (s.type === 'inbound-rtp' && (s.kind ?? s.mediaType) === 'audio') {
          out.packetsReceived += s.packetsReceived ?? 0;
          out.totalAudioEnergy += s.totalAudioEnergy ?? 0;
        }
      });
      return out;
    },
  };
}
