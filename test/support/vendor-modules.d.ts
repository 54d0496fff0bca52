// Vendor entry points the tests import by file, which their packages declare no types for.

/** @telnyx/webrtc's ESM bundle (what browsers and bundlers load): the package's public API. */
declare module '@telnyx/webrtc/lib/bundle.mjs' {
  export * from '@telnyx/webrtc';
}
