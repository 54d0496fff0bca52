// The echo provider's "vendor": a WebSocket exchange on 127.0.0.1 that logs users in with a
// token and echoes each call's messages to the other party. It is this example's lab, started
// by its conformance test; a real provider's lab would be its vendor's server or an emulator of it.
import { randomBytes } from 'node:crypto';
import { WebSocketServer } from 'ws';

/**
 * @param {{ users?: string[] }} [options]
 * @returns {Promise<{ url: string, issueToken(user: string): string, restart(): Promise<void>, stop(): Promise<void> }>}
 */
export async function startExchange(options = {}) {
  /** user → tokens it may log in with */
  const tokens = new Map((options.users ?? ['alice', 'bob']).map((user) => [user, new Set()]));
  /** user → its socket */
  const online = new Map();
  /** call id → the two sockets */
  const calls = new Map();
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));

  const send = (socket, message) => socket?.readyState === 1 && socket.send(JSON.stringify(message));
  const other = (id, socket) => {
    const call = calls.get(id);
    return call && (call.caller === socket ? call.callee : call.caller);
  };

  server.on('connection', (socket) => {
    let user;
    socket.on('message', (data) => {
      let message;
      try {
        message = JSON.parse(String(data));
      } catch {
        return;
      }
      if (message.type === 'login') {
        const ok = tokens.get(message.user)?.has(message.token) === true;
        send(socket, { type: 'login', ok, ...(ok ? {} : { reason: 'unauthorized' }) });
        if (!ok) return void socket.close();
        user = message.user;
        online.set(user, socket);
        return;
      }
      if (!user) return void socket.close();
      if (message.type === 'refresh') return void send(socket, { type: 'refreshed', ok: tokens.get(user)?.has(message.token) === true });
      if (message.type === 'invite') {
        const callee = online.get(message.to);
        if (!callee) return void send(socket, { type: 'failed', id: message.id });
        calls.set(message.id, { caller: socket, callee });
        send(callee, { type: 'invite', id: message.id, from: user, sdp: message.sdp });
        return void send(socket, { type: 'ringing', id: message.id });
      }
      const peer = other(message.id, socket);
      if (message.type === 'answer') send(peer, { type: 'answer', id: message.id, sdp: message.sdp });
      if (message.type === 'reject') send(peer, { type: 'rejected', id: message.id });
      if (message.type === 'bye') send(peer, { type: 'bye', id: message.id });
      if (message.type === 'reject' || message.type === 'bye') calls.delete(message.id);
    });
    socket.on('close', () => {
      if (user && online.get(user) === socket) online.delete(user);
      for (const [id, call] of calls) {
        if (call.caller !== socket && call.callee !== socket) continue;
        send(other(id, socket), { type: 'bye', id });
        calls.delete(id);
      }
    });
  });

  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `ws://127.0.0.1:${port}`,
    issueToken(user) {
      const token = `echo-${user}-${randomBytes(9).toString('base64url')}`;
      tokens.get(user)?.add(token);
      return token;
    },
    // A restart as clients see one: every connection dropped, who is online and every call
    // forgotten; the tokens it issued stay valid (they are signed, not sessions).
    restart: async () => {
      for (const socket of server.clients) socket.terminate();
      online.clear();
      calls.clear();
    },
    stop: () =>
      new Promise((resolve) => {
        for (const socket of server.clients) socket.terminate();
        server.close(() => resolve(undefined));
      }),
  };
}
