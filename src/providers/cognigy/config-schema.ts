/**
 * The one place that knows what a Cognigy endpoint's reply looks like. Cognigy does not publish
 * the format, so this is polyphone's assumption (docs/cognigy-config.md): when the real format
 * turns out different, this module and that page change, nothing else.
 */
import * as v from 'valibot';
import { VoiceError } from '../../core/provider-kit.js';

const WEBSOCKET_URI = /^wss?:\/\/[^\s/]+/;
const SIP_URI = /^sips?:[^@\s]+@[^@\s;]+/;

const IceServerSchema = v.looseObject({
  urls: v.union([v.pipe(v.string(), v.nonEmpty()), v.pipe(v.array(v.string()), v.nonEmpty())]),
  username: v.optional(v.string()),
  credential: v.optional(v.string()),
});

// looseObject: a backend that adds fields (a newer Cognigy release) must not break older clients.
const CognigyConfigSchema = v.looseObject({
  applicationId: v.pipe(v.string(), v.nonEmpty()),
  widgetActive: v.boolean(),
  websocketUri: v.pipe(v.string(), v.regex(WEBSOCKET_URI)),
  sipUri: v.pipe(v.string(), v.regex(SIP_URI)),
  username: v.pipe(v.string(), v.nonEmpty()),
  password: v.pipe(v.string(), v.nonEmpty()),
  /** When the password stops working, ms since the epoch. */
  expiresAt: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  iceServers: v.optional(v.array(IceServerSchema)),
});

export interface CognigySipConfig {
  applicationId: string;
  widgetActive: boolean;
  websocketUri: string;
  sipUri: string;
  /** Digest user name. */
  username: string;
  password: string;
  expiresAt: number | undefined;
  iceServers: RTCIceServer[] | undefined;
}

/**
 * Checks a parsed reply body. The error names the fields that are wrong, never their values: a
 * value may be the password.
 */
export function parseCognigyConfig(body: unknown, provider: string): CognigySipConfig {
  const result = v.safeParse(CognigyConfigSchema, body);
  if (!result.success) {
    const fields = [...new Set(result.issues.map((issue) => v.getDotPath(issue) ?? '(root)'))];
    throw new VoiceError('PROTOCOL_ERROR', `The Cognigy endpoint returned an invalid SIP config (wrong or missing: ${fields.join(', ')}).`, {
      provider,
      cause: { name: 'CognigyConfigInvalid', code: 'CONFIG_SCHEMA' },
      details: { fields: fields.join(',') },
    });
  }
  const out = result.output;
  return {
    applicationId: out.applicationId,
    widgetActive: out.widgetActive,
    websocketUri: out.websocketUri,
    sipUri: out.sipUri,
    username: out.username,
    password: out.password,
    expiresAt: out.expiresAt,
    iceServers: out.iceServers as RTCIceServer[] | undefined,
  };
}
