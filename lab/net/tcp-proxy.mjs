// A TCP relay on 127.0.0.1 that can turn into a black hole: while frozen, every byte in either
// direction is dropped and no connection is closed, the way a path that silently loses packets
// looks to both ends (no RST, no FIN, the kernel still ACKs locally). New connections are
// accepted and then hear nothing. Thawing forwards again on the connections that were opened
// while thawed; what was dropped stays lost, like on a real network.

import net from 'node:net';

/**
 * @typedef {object} TcpProxy
 * @property {number} port the front port on 127.0.0.1
 * @property {string} wsUrl `ws://127.0.0.1:<port>` for SIP over WebSocket behind it
 * @property {() => void} freeze drop everything from now on, close nothing
 * @property {() => void} thaw forward again
 * @property {() => number} connections how many connections the front has accepted so far
 * @property {() => Promise<void>} close stop listening and destroy every connection
 */

/**
 * @typedef {object} ChunkControl
 * @property {() => void} reset destroy both sides of this connection at once (a server dropping the socket)
 * @property {() => void} swallow do not forward this chunk (one message lost on the way)
 */

/**
 * The text of the WebSocket frames in one client→server chunk (clients mask every frame, so a
 * SIP request is not readable on the wire as is). Frames split across chunks are not joined:
 * on loopback a SIP request travels in one chunk. Anything else reads as latin1.
 * @param {Buffer} chunk
 * @returns {string}
 */
export function clientFramesText(chunk) {
  let text = '';
  let offset = 0;
  while (offset + 2 <= chunk.length) {
    const masked = ((chunk[offset + 1] ?? 0) & 0x80) !== 0;
    let length = (chunk[offset + 1] ?? 0) & 0x7f;
    let header = 2;
    if (length === 126) {
      if (offset + 4 > chunk.length) break;
      length = chunk.readUInt16BE(offset + 2);
      header = 4;
    } else if (length === 127) {
      if (offset + 10 > chunk.length) break;
      length = Number(chunk.readBigUInt64BE(offset + 2));
      header = 10;
    }
    const keyAt = offset + header;
    const dataAt = keyAt + (masked ? 4 : 0);
    if (!masked || dataAt + length > chunk.length) break;
    const payload = Buffer.alloc(length);
    for (let i = 0; i < length; i++) payload[i] = (chunk[dataAt + i] ?? 0) ^ (chunk[keyAt + (i % 4)] ?? 0);
    text += payload.toString('latin1');
    offset = dataAt + length;
  }
  return offset === 0 ? chunk.toString('latin1') : text;
}

/**
 * @param {{ targetPort: number, targetHost?: string,
 *   onClientChunk?: (text: string, control: ChunkControl) => void }} options
 *   `onClientChunk` sees each client→server chunk (as text, WebSocket frames unmasked) before it
 *   is forwarded, so a test can act at an exact point of the exchange (freeze the server when a
 *   REGISTER goes out, drop the socket…).
 * @returns {Promise<TcpProxy>}
 */
export async function startTcpProxy({ targetPort, targetHost = '127.0.0.1', onClientChunk }) {
  let frozen = false;
  let accepted = 0;
  /** @type {Set<net.Socket>} */
  const sockets = new Set();
  const track = (/** @type {net.Socket} */ socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A reset from either end must not crash the lab; the pair is torn down below.
    socket.on('error', () => {});
  };

  const server = net.createServer((front) => {
    accepted++;
    track(front);
    if (frozen) return; // accepted, then silence: the handshake a black-holed path never completes
    const back = net.connect(targetPort, targetHost);
    track(back);
    let reset = false;
    let swallowed = false;
    const control = {
      swallow() {
        swallowed = true;
      },
      reset() {
        reset = true;
        front.destroy();
        back.destroy();
      },
    };
    front.on('data', (chunk) => {
      if (frozen) return;
      swallowed = false;
      onClientChunk?.(clientFramesText(chunk), control);
      if (!frozen && !reset && !swallowed) back.write(chunk);
    });
    back.on('data', (chunk) => {
      if (!frozen) front.write(chunk);
    });
    // A close on one side reaches the other only while the path works; a black hole swallows FINs too.
    front.on('close', () => {
      if (!frozen) back.destroy();
    });
    back.on('close', () => {
      if (!frozen) front.destroy();
    });
  });
  server.on('error', () => {});
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(undefined));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    port,
    wsUrl: `ws://127.0.0.1:${port}`,
    freeze() {
      frozen = true;
    },
    thaw() {
      frozen = false;
    },
    connections() {
      return accepted;
    },
    async close() {
      frozen = true;
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}
