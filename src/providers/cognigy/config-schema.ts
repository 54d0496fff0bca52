/**
 * The one place that knows what a Cognigy endpoint's reply looks like, as Cognigy's own browser
 * SDK reads it (GitHub Cognigy/click-to-call-sdk: ConfigManager, utils/helpers
 * validateEndpointConfig; docs/cognigy-config.md). Two kinds of endpoint: *legacy* (SIP
 * credentials, a realm, an application to call, REGISTER) and *runtime* (an endpointId and a
 * wsUri only: no credentials, no REGISTER; the gateway admits the call by its headers).
 */
import * as v from 'valibot';
import { VoiceError } from '../../core/provider-kit.js';

// Every value below ends up in a SIP URI or header: no CR, LF, NUL or other control character,
// and a length no real reply comes near.
const MAX_FIELD = 256;
const HEADER_VALUE = /^[^\x00-\x1f\x7f]+$/;
// RFC 3261 user part characters (unreserved and user-unreserved), as in app-<applicationSid>.
const SIP_USER = /^[A-Za-z0-9\-_.!~*'()&=+$,]+$/;
const HOST = /^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$/;
const DIGEST_USER = /^[^\x00-\x1f\x7f"\\]+$/;
const WEBSOCKET_URI = /^wss?:\/\/[^\s/@]+(\/[^\s]*)?$/;

const text = (pattern: RegExp, max = MAX_FIELD) => v.pipe(v.string(), v.nonEmpty(), v.maxLength(max), v.regex(pattern));

// looseObject everywhere: Cognigy adds fields (theme, labels, transcription display) that an
// older client must tolerate.
const common = {
  organisationId: text(HEADER_VALUE),
  projectId: text(HEADER_VALUE),
};
const LegacySchema = v.looseObject({
  ...common,
  endpointSettings: v.looseObject({
    sipConnectivityInfo: v.looseObject({
      wsUri: text(WEBSOCKET_URI, 2_048),
      username: text(DIGEST_USER),
      password: v.pipe(v.string(), v.nonEmpty(), v.maxLength(1_024)),
      realm: text(HOST),
      applicationSid: text(SIP_USER),
    }),
  }),
});
const RuntimeSchema = v.looseObject({
  ...common,
  endpointSettings: v.looseObject({
    endpointId: text(SIP_USER),
    sipConnectivityInfo: v.looseObject({ wsUri: text(WEBSOCKET_URI, 2_048) }),
  }),
});

interface CommonConfig {
  organisationId: string;
  projectId: string;
  wsUri: string;
  /** endpointSettings.endpointName cut to [a-z0-9-] (and 32 characters), as the SDK uses it in a generated user id. */
  endpointName: string;
  /** endpointSettings.webrtcWidgetConfig.active === true; anything else is inactive. */
  widgetActive: boolean;
}
export interface LegacyEndpointConfig extends CommonConfig {
  kind: 'legacy';
  realm: string;
  applicationSid: string;
  /** The endpoint's shared digest user: every visitor registers its own AOR with it. */
  username: string;
  password: string;
}
export interface RuntimeEndpointConfig extends CommonConfig {
  kind: 'runtime';
  endpointId: string;
}
export type CognigyEndpointConfig = LegacyEndpointConfig | RuntimeEndpointConfig;

/** An own property along a dot path, never one inherited through __proto__. */
function at(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

const present = (value: unknown) => value !== undefined && value !== null && value !== '';

/** The SDK's rule (validateEndpointConfig): an endpointId with neither realm nor applicationSid. */
function isRuntime(body: unknown): boolean {
  return (
    present(at(body, 'endpointSettings.endpointId')) &&
    !present(at(body, 'endpointSettings.sipConnectivityInfo.realm')) &&
    !present(at(body, 'endpointSettings.sipConnectivityInfo.applicationSid'))
  );
}

// Cut, unlike the SDK: a generated AOR user must stay within what registrars store (Kamailio
// refuses an AOR user past 64 characters with 500).
const MAX_NAME_IN_USER = 32;

function endpointName(body: unknown): string {
  const raw = at(body, 'endpointSettings.endpointName');
  const name = typeof raw === 'string' ? raw.slice(0, 4 * MAX_FIELD).replace(/[^a-zA-Z0-9-]/g, '').toLowerCase().slice(0, MAX_NAME_IN_USER) : '';
  return name || 'endpoint';
}

/**
 * Checks a parsed reply body. The error names the paths that are wrong, never their values: a
 * value may be the password.
 */
export function parseCognigyConfig(body: unknown, provider: string): CognigyEndpointConfig {
  const runtime = isRuntime(body);
  const result = runtime ? v.safeParse(RuntimeSchema, body) : v.safeParse(LegacySchema, body);
  if (!result.success) {
    const paths = [...new Set(result.issues.map((issue) => v.getDotPath(issue) ?? '(root)'))];
    throw new VoiceError('PROTOCOL_ERROR', `The Cognigy endpoint returned an invalid configuration (wrong or missing: ${paths.join(', ')}).`, {
      provider,
      cause: { name: 'CognigyConfigInvalid', code: 'CONFIG_SCHEMA' },
      details: { fields: paths.join(','), kind: runtime ? 'runtime' : 'legacy' },
    });
  }
  const common: CommonConfig = {
    organisationId: result.output.organisationId,
    projectId: result.output.projectId,
    wsUri: result.output.endpointSettings.sipConnectivityInfo.wsUri,
    endpointName: endpointName(body),
    widgetActive: at(body, 'endpointSettings.webrtcWidgetConfig.active') === true,
  };
  if (runtime) {
    const out = result.output as v.InferOutput<typeof RuntimeSchema>;
    return { ...common, kind: 'runtime', endpointId: out.endpointSettings.endpointId };
  }
  const sip = (result.output as v.InferOutput<typeof LegacySchema>).endpointSettings.sipConnectivityInfo;
  return { ...common, kind: 'legacy', realm: sip.realm, applicationSid: sip.applicationSid, username: sip.username, password: sip.password };
}

/** Host of the wsUri: a runtime endpoint's SIP domain. */
export function websocketHost(wsUri: string): string {
  return new URL(wsUri).hostname;
}
