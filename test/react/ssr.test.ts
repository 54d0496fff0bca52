// polyphone/react on a server: importing it and rendering a tree with a VoiceClientProvider makes
// no client and touches no browser API; the hooks read the empty snapshot.
import { describe, expect, it } from 'vitest';
import { createElement as h } from 'react';
import { renderToString } from 'react-dom/server';
import { VoiceClientProvider, useCalls, useClientState, useVoiceClient } from '../../src/react/index.js';

describe('polyphone/react on a server', () => {
  it('renders the empty state and creates no client', async () => {
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined');
    let creations = 0;
    const createClient = async () => {
      creations++;
      throw new Error('a server render must not create a client');
    };
    function View() {
      const { state } = useClientState();
      const calls = useCalls();
      const client = useVoiceClient();
      return h('p', null, `state=${state} calls=${calls.length} client=${client === undefined ? 'none' : 'some'}`);
    }
    const html = renderToString(h(VoiceClientProvider, { config: 'sipjs:wss://pbx.example.com/ws', createClient }, h(View)));
    expect(html).toBe('<p>state=idle calls=0 client=none</p>');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(creations).toBe(0);
  });
});
