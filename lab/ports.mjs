// Loopback ports for the labs and tests.
import net from 'node:net';

/**
 * A loopback port that was free a moment ago and is closed now: a server can take it, and until
 * one does, a connection to it is refused.
 * @returns {Promise<number>}
 */
export function unusedLoopbackPort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
