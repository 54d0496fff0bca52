// The raw vendor SDKs, for benchmarks that compare polyphone with the library underneath.
(window as unknown as { rawVendors: Record<string, () => Promise<unknown>> }).rawVendors = {
  sipjs: () => import('sip.js'),
  jssip: () => import('jssip'),
  telnyx: () => import('@telnyx/webrtc'),
  sendbird: () => import('sendbird-calls'),
};
