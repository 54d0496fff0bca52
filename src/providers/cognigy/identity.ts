/**
 * Who the visitor is on SIP and whom it calls, from the endpoint's reply, as Cognigy's SDK works
 * it out (ConfigManager.getSipCredentials/getCallTarget, SipManager.initialize/call).
 */
import type { CognigyEndpointConfig } from './config-schema.js';
import { websocketHost } from './config-schema.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `webrtc-sdk-<endpointname>-<8 random letters and digits>`, the SDK's form, from a CSPRNG. */
export function generatedUserId(endpointName: string): string {
  const bytes = new Uint8Array(8);
  globalThis.crypto.getRandomValues(bytes);
  // 256 % 62 leaves a slight bias, irrelevant for an identifier that only has to be unlikely to collide.
  const suffix = Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join('');
  return `webrtc-sdk-${endpointName}-${suffix}`;
}

/** The SIP domain the visitor's address and the agent's live in. */
export function sipDomain(config: CognigyEndpointConfig): string {
  return config.kind === 'legacy' ? config.realm : websocketHost(config.wsUri);
}

/** The visitor's address of record: `sip:<userId>@<realm>`, or at the wsUri host for a runtime endpoint. */
export function addressOfRecord(config: CognigyEndpointConfig, userId: string): string {
  return `sip:${userId}@${sipDomain(config)}`;
}

/** The agent: `app-<applicationSid>` (legacy) or the endpointId (runtime), completed with the domain. */
export function agentUri(config: CognigyEndpointConfig): string {
  const user = config.kind === 'legacy' ? `app-${config.applicationSid}` : config.endpointId;
  return `sip:${user}@${sipDomain(config)}`;
}

/**
 * What the gateway expects on the INVITE: X-Source always; the organisation and project when
 * both are known; the endpoint id on runtime endpoints, whose calls the SBC admits by these alone.
 */
export function identityHeaders(config: CognigyEndpointConfig): string[] {
  const headers = ['X-Source: webrtc'];
  if (config.organisationId && config.projectId) headers.push(`X-Organisation-Id: ${config.organisationId}`, `X-Project-Id: ${config.projectId}`);
  if (config.kind === 'runtime') headers.push(`X-Endpoint-Id: ${config.endpointId}`);
  return headers;
}

/** Where the session would move if a refreshed reply were used: these must not change. */
export function sessionAnchors(config: CognigyEndpointConfig): Record<string, string> {
  return config.kind === 'legacy'
    ? { kind: config.kind, wsUri: config.wsUri, realm: config.realm, applicationSid: config.applicationSid }
    : { kind: config.kind, wsUri: config.wsUri, endpointId: config.endpointId };
}

export function changedAnchors(before: CognigyEndpointConfig, after: CognigyEndpointConfig): string[] {
  const a = sessionAnchors(before);
  const b = sessionAnchors(after);
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((key) => a[key] !== b[key]);
}
