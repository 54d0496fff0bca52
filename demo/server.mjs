// Serves the softphone page and its presets next to the lab bundle.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPageServer } from '../lab/browser/server.mjs';

const here = import.meta.dirname;

/**
 * `port`: a fixed port for a person (`npm run softphone`); tests leave it out.
 * @param {unknown[]} presets
 * @param {{ port?: number }} [options]
 */
export function startDemoServer(presets, { port } = {}) {
  const html = readFileSync(join(here, 'softphone.html'), 'utf8');
  return startPageServer({
    port,
    extraEntries: { 'demo/softphone': join(here, 'softphone.tsx') },
    routes: {
      '/demo': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(html);
      },
      '/demo/presets.js': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' });
        res.end(`window.DEMO_PRESETS = ${JSON.stringify(presets)};`);
      },
    },
  });
}
