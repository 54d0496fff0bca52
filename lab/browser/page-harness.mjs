// The part of the test harness that runs inside a lab page. It is plain JavaScript installed from
// its source text, so no test-side transpiler can slip helpers into code that runs in Chromium.
// Provider-agnostic: it only talks to `window.polyphone`; a client's config is the one thing that
// differs between vendors.

/** Installs `window.__harness` and `window.__clients` (name → { client, call, calls }). */
export function installPageHarness() {
  if (window.__harness) return;
  const clients = (window.__clients = {});
  const outcomeOf = (error) => {
    if (error && error.name === 'VoiceError' && typeof error.code === 'string') return error.code;
    return `THREW:${(error && error.name) || typeof error}`;
  };
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
      entry.call = call;
      entry.calls.push(call);
      keepEnd(entry, call);
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
  const lines = (name) => window.polyphone.normalizeTrace(entryOf(name).client.trace());

  window.__harness = {
    async create(name, config, options) {
      if (clients[name]) throw new Error(`a client named ${name} exists already`);
      const client = await window.polyphone.createVoiceClient(config, options);
      const entry = { client, call: undefined, calls: [], ends: [], audioElement: undefined };
      clients[name] = entry;
      client.on('incomingCall', ({ call }) => {
        entry.call = call;
        entry.calls.push(call);
        keepEnd(entry, call);
      });
      return { provider: client.provider };
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
