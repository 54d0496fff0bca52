/**
 * The three Telnyx logins (JWT, SIP connection password, anonymous to an AI assistant): checked
 * before anything connects, turned into the SDK's constructor options, and told apart when the
 * server refuses them (the SDK reports every refusal as the same 46001).
 */
import { jwtDecode } from 'jwt-decode';
import { VoiceError, configInvalid, describeCause, type Credentials, type ProviderContext } from '../../core/provider-kit.js';
import { DEFAULT_RECONNECT } from '../../core/provider-kit.js';
import { SDK_CODE, sdkCause, type TelnyxSdkError } from './errors.js';
import type { TelnyxOptions } from './options.js';

const NAME = 'telnyx';

/** Their content; the core lets only "jwt", "password" and "anonymous" through (credentialTypes in index.ts). */
export function checkCredentials(credentials: Credentials): void {
  if (credentials.type === 'jwt') {
    if (typeof credentials.token !== 'string' || credentials.token === '') throw configInvalid('credentials.token', 'The JWT is empty.');
  } else if (credentials.type === 'password') {
    const login = credentials.login ?? credentials.username;
    if (typeof login !== 'string' || login === '') throw configInvalid('credentials.login', 'A Telnyx password login needs "login" (the SIP connection user name).');
    if (typeof credentials.password !== 'string' || credentials.password === '') throw configInvalid('credentials.password', 'The password is empty.');
  } else if (credentials.type === 'anonymous') {
    if (typeof credentials.targetId !== 'string' || credentials.targetId === '') {
      throw configInvalid('credentials.targetId', 'An anonymous Telnyx session needs "targetId" (e.g. the AI assistant id).');
    }
  }
}

/** The SDK's constructor options for this login. */
export function clientOptions(credentials: Credentials, options: TelnyxOptions, context: ProviderContext): Record<string, unknown> {
  const base: Record<string, unknown> = {
    host: options.host,
    debug: false,
    // The SDK reconnects by itself: its own try limit is the client's policy (at least 1: with 0
    // the core gives up at the first loss, before the SDK's first try matters).
    maxReconnectAttempts: Math.max(1, (context.reconnect ?? DEFAULT_RECONNECT).attempts),
  };
  // Without iceServers the SDK uses Telnyx's STUN/TURN; the lab passes [] (nothing reachable).
  if (context.iceServers) base.iceServers = context.iceServers;
  if (credentials.type === 'jwt') return { ...base, login_token: credentials.token };
  if (credentials.type === 'password') return { ...base, login: credentials.login ?? credentials.username, password: credentials.password };
  if (credentials.type === 'anonymous') {
    return {
      ...base,
      anonymous_login: {
        target_type: credentials.targetType ?? 'ai_assistant',
        target_id: credentials.targetId,
        ...(credentials.targetParams ? { target_params: credentials.targetParams } : {}),
      },
    };
  }
  return base;
}

/** Seen before the core's redactor, so a line of one client never carries another client's secret. */
export function credentialSecretsOf(credentials: Credentials | undefined): string[] {
  if (credentials?.type === 'jwt') return [credentials.token];
  if (credentials?.type === 'password') return [credentials.password];
  return [];
}

export function tokenExpiry(credentials: Credentials | undefined): number | undefined {
  if (credentials?.type !== 'jwt') return undefined;
  try {
    const exp = jwtDecode<{ exp?: unknown }>(credentials.token).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** A refused login as TOKEN_EXPIRED or AUTH_REJECTED, with the server's own reply (`serverReply`) as the cause. */
export function loginFailure(error: TelnyxSdkError | undefined, serverReply: unknown, credentials: Credentials | undefined): VoiceError {
  const server = describeCause(serverReply);
  const cause = { ...sdkCause(error), ...(server.message ? { message: server.message } : {}), ...(server.code !== undefined ? { code: server.code } : {}) };
  const details = { sdkCode: error?.code ?? SDK_CODE.LOGIN_FAILED };
  if (credentials?.type === 'jwt') {
    const expiresAt = tokenExpiry(credentials);
    // The SDK keeps no reason; an expiry in the past (or the server saying so) is TOKEN_EXPIRED.
    if ((expiresAt !== undefined && expiresAt <= Date.now()) || /expir/i.test(server.message ?? '')) {
      return new VoiceError('TOKEN_EXPIRED', 'The Telnyx JWT has expired.', { provider: NAME, cause, details });
    }
  }
  return new VoiceError('AUTH_REJECTED', 'Telnyx rejected the login.', { provider: NAME, cause, details });
}
