// What the softphone page keeps on `window` (demo/softphone.tsx sets it before the page is ready),
// for the Node-side code that reads it through page.evaluate (demo/drive.mjs, checked by checkJs).
interface Window {
  DEMO_PRESETS?: Array<{ id: string; label: string; config: string | (import('../src/all.js').VoiceClientConfig & { uri?: string }); dial: string }>;
  softphone: {
    client: import('../src/all.js').VoiceClient | undefined;
    call: import('../src/all.js').Call | undefined;
    trace(): string[];
    timings: Record<string, number>;
  };
}
