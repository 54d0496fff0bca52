// A port for a lab's `unreachable` config, from lab/ports.mjs (shipped beside dist/ like lab/browser).
interface PortsModule {
  unusedLoopbackPort(): Promise<number>;
}

/** A loopback port that was free a moment ago and is closed now: connecting to it is refused. */
export async function closedLoopbackPort(): Promise<number> {
  const { unusedLoopbackPort } = (await import(new URL('../../lab/ports.mjs', import.meta.url).href)) as PortsModule;
  return unusedLoopbackPort();
}
