// Issue 15 item 3 on sendbird: dead-connection detection cannot be timed honestly on sendbird-calls
// (no message on its socket that the server must answer; src/providers/sendbird/keep-alive.ts says
// why). The declaration is checked here: it is made for the SDK version installed, it says why, and
// the keep-alive option other providers take is refused with that reason instead of being ignored.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { createVoiceClient, VoiceError } from '../../../src/all.js';
import { DEAD_CONNECTION_DETECTION } from '../../../src/providers/sendbird/keep-alive.js';
import { CHECKED_SDK_VERSION } from '../../../src/providers/sendbird/quirks.js';

const require = createRequire(import.meta.url);
const installedSdkVersion = (JSON.parse(readFileSync(require.resolve('sendbird-calls/package.json'), 'utf8')) as { version: string }).version;

async function configError(config: Parameters<typeof createVoiceClient>[0]): Promise<VoiceError> {
  const error = await createVoiceClient(config).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VoiceError);
  return error as VoiceError;
}

describe('sendbird dead-connection detection: declared away, with the reason', () => {
  it('is declared unsupported, for the sendbird-calls version installed, with the reason', () => {
    expect(DEAD_CONNECTION_DETECTION.supported).toBe(false);
    expect(DEAD_CONNECTION_DETECTION.reason).toMatch(/must answer/);
    // Read again when the SDK changes: a newer one may bring a ping the server answers.
    expect(installedSdkVersion).toBe(CHECKED_SDK_VERSION);
  });

  it.each([
    ['a config string', 'sendbird:APP?keepAliveIntervalMs=15000'],
    ['an object config', { provider: 'sendbird', server: 'APP', keepAliveIntervalMs: 15_000 }],
    ['keep-alive off', 'sendbird:APP?keepAliveIntervalMs=0'],
  ] as const)('keepAliveIntervalMs in %s → CONFIG_INVALID naming it, with the reason (not silently ignored)', async (_label, config) => {
    const error = await configError(config as Parameters<typeof createVoiceClient>[0]);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.details?.field).toBe('keepAliveIntervalMs');
    expect(error.message).toContain(DEAD_CONNECTION_DETECTION.reason);
  });
});
