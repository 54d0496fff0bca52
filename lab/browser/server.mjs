// Serves the lab page and its bundle on 127.0.0.1.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import { buildPageBundle } from './bundle.mjs';

/** @type {Record<string, string>} */
const TYPES = { '.js': 'text/javascript', '.html': 'text/html', '.css': 'text/css', '.json': 'application/json', '.map': 'application/json' };
/** The lab page: it loads the page's entries, then says it is ready. */
const indexOf = (/** @type {string[]} */ entries) => `<!doctype html><html><head><meta charset="utf-8"><title>polyphone lab</title></head><body>
<script type="module">${entries.map((name) => `import '/${name}.js';`).join(' ')} window.pageReady = true;</script></body></html>`;

/**
 * `headers` go on every response, the routes' included (e.g. a CSP or COOP/COEP a page needs).
 * `port` fixes the port (a person's bookmark); by default any free one. `entries` replaces the
 * page's own entries (see buildPageBundle); the page loads them instead.
 * @param {{ routes?: Record<string, (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void>, headers?: Record<string, string>, extraEntries?: Record<string, string>, entries?: Record<string, string>, port?: number }} [options]
 * @returns {Promise<{ url: string, port: number, stop(): Promise<void> }>}
 */
export async function startPageServer(options = {}) {
  const { outdir } = await buildPageBundle({ extraEntries: options.extraEntries, entries: options.entries });
  const INDEX = indexOf(Object.keys(options.entries ?? { 'page-entry': '', 'raw-entry': '' }));
  const routes = options.routes ?? {};
  const headers = options.headers ?? {};
  const server = createServer(async (req, res) => {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route = routes[path];
    if (route) return route(req, res);
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end(INDEX);
    }
    const file = normalize(join(outdir, path));
    if (!file.startsWith(outdir)) {
      res.writeHead(403);
      return res.end();
    }
    try {
      const body = await readFile(file);
      const ext = path.slice(path.lastIndexOf('.'));
      res.writeHead(200, { 'content-type': TYPES[ext] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end('not found');
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve(undefined));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve(undefined));
      }),
  };
}
