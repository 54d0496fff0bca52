// Just enough browser for the real sendbird-calls bundle to init, authenticate and keep its
// WebSocket in Node, so the emulator's own test can drive it without a browser. Media never
// flows here: the RTCPeerConnection is a stub, and calls that need a real one belong in Chromium.
import { WebSocket } from 'ws';

class StubMediaStream {
  /** @param {unknown[]} [tracks] */
  constructor(tracks = []) {
    this.id = `stub-${Math.random().toString(16).slice(2)}`;
    this.tracks = [...tracks];
  }
  getTracks() { return [...this.tracks]; }
  getAudioTracks() { return this.tracks.filter((t) => /** @type {{kind?: string}} */ (t).kind === 'audio'); }
  getVideoTracks() { return this.tracks.filter((t) => /** @type {{kind?: string}} */ (t).kind === 'video'); }
  /** @param {unknown} track */
  addTrack(track) { this.tracks.push(track); }
  /** @param {unknown} track */
  removeTrack(track) { this.tracks = this.tracks.filter((t) => t !== track); }
  addEventListener() {}
  removeEventListener() {}
}

class StubTrack {
  /** @param {'audio' | 'video'} kind */
  constructor(kind) {
    this.kind = kind;
    this.enabled = true;
    this.readyState = 'live';
    this.id = `${kind}-${Math.random().toString(16).slice(2)}`;
  }
  stop() { this.readyState = 'ended'; }
  getSettings() { return { deviceId: 'default' }; }
  addEventListener() {}
  removeEventListener() {}
}

/** The SDK pads a stream that lacks an audio track with a silent oscillator. */
class StubAudioContext {
  constructor() { this.currentTime = 0; }
  createOscillator() {
    const node = { connect: (/** @type {unknown} */ next) => next, start() {}, stop() {}, disconnect() {}, onended: null };
    return node;
  }
  createGain() {
    return { gain: { setValueAtTime() {} }, connect: (/** @type {unknown} */ next) => next, disconnect() {} };
  }
  createMediaStreamDestination() {
    return { stream: new StubMediaStream([new StubTrack('audio')]) };
  }
  async close() {}
}

class StubRTCPeerConnection {
  /** @param {unknown} [config] */
  constructor(config) {
    this.config = config;
    this.connectionState = 'new';
    this.iceConnectionState = 'new';
    this.signalingState = 'stable';
    /** @type {unknown[]} */
    this.senders = [];
  }
  /** @param {unknown} track */
  addTrack(track) {
    const sender = { track, replaceTrack: async () => {}, getParameters: () => ({ encodings: [] }), setParameters: async () => {} };
    this.senders.push(sender);
    return sender;
  }
  getSenders() { return [...this.senders]; }
  getReceivers() { return []; }
  getTransceivers() { return []; }
  async createOffer() { return { type: 'offer', sdp: 'v=0\r\n' }; }
  async createAnswer() { return { type: 'answer', sdp: 'v=0\r\n' }; }
  async setLocalDescription() {}
  async setRemoteDescription() {}
  async addIceCandidate() {}
  async getStats() { return new Map(); }
  restartIce() {}
  close() { this.connectionState = 'closed'; }
  addEventListener() {}
  removeEventListener() {}
}

/**
 * Installs the shims on globalThis and returns a function that puts back what was there.
 * @returns {() => void}
 */
export function installSendbirdNodeShims() {
  const g = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (globalThis));
  const names = ['window', 'navigator', 'location', 'WebSocket', 'RTCPeerConnection', 'MediaStream', 'self', 'addEventListener', 'removeEventListener', 'AudioContext'];
  const saved = new Map(names.map((name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)]));

  /** @param {string} name @param {unknown} value */
  const define = (name, value) => {
    Object.defineProperty(globalThis, name, { value, configurable: true, writable: true, enumerable: false });
  };
  define('window', globalThis);
  define('self', globalThis);
  // The SDK refuses to init unless the page is https, file: or on localhost/127.0.0.1.
  define('location', { protocol: 'http:', hostname: 'localhost', host: 'localhost', href: 'http://localhost/', origin: 'http://localhost' });
  define('navigator', {
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 polyphone-lab-node',
    mediaDevices: {
      getUserMedia: async (/** @type {{audio?: unknown, video?: unknown}} */ c) => {
        const tracks = [];
        if (c?.audio) tracks.push(new StubTrack('audio'));
        if (c?.video) tracks.push(new StubTrack('video'));
        return new StubMediaStream(tracks);
      },
      enumerateDevices: async () => [],
      addEventListener() {},
      removeEventListener() {},
      ondevicechange: null,
    },
  });
  define('WebSocket', WebSocket);
  define('RTCPeerConnection', StubRTCPeerConnection);
  define('MediaStream', StubMediaStream);
  define('AudioContext', StubAudioContext);
  // The SDK listens on window for page lifecycle events that never happen in Node.
  define('addEventListener', () => {});
  define('removeEventListener', () => {});

  return () => {
    for (const [name, descriptor] of saved) {
      if (descriptor) Object.defineProperty(globalThis, name, descriptor);
      else delete g[name];
    }
  };
}
