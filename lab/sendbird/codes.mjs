// Server-side error codes the emulator answers with. The SDK passes a server `code` through to the
// app unchanged (`error.code`), so these are what a provider maps to its own error codes.

/** Defaults of the lab: one app, two users with fixed access tokens. */
export const SENDBIRD_APP_ID = 'POLYPHONE-LAB-APP';

export const SENDBIRD_USERS = Object.freeze({
  alice: 'alice-sb-token-3e9',
  bob: 'bob-sb-token-7a1',
});

/**
 * Codes and the HTTP status they travel with. Sendbird's platform APIs answer every error with
 * HTTP 400 or 500 and a `{error, code, message}` body; 400302 (access token not valid) and 400309
 * (session/token expired) are the codes Sendbird's Chat platform uses for those cases, 400200 is the
 * Calls platform API's NOT_FOUND, and 14001xx are the call errors the Calls SDK itself names.
 */
export const SERVER_ERRORS = Object.freeze({
  INVALID_ACCESS_TOKEN: { code: 400302, status: 400, message: 'The access token is not valid.' },
  ACCESS_TOKEN_EXPIRED: { code: 400309, status: 400, message: 'The access token has expired.' },
  APP_NOT_FOUND: { code: 400200, status: 400, message: 'The application could not be found.' },
  NOT_FOUND: { code: 400200, status: 400, message: 'The requested resource cannot be found.' },
  INVALID_PARAMS: { code: 400100, status: 400, message: 'The request specifies invalid parameters.' },
  INVALID_SESSION: { code: 400302, status: 400, message: 'The session token is not valid.' },
  PAYLOAD_TOO_LARGE: { code: 400100, status: 413, message: 'The request body is too large.' },
  INVALID_CALL_STATUS: { code: 1400101, status: 400, message: 'The call is not in a state that allows this.' },
  CALL_DOES_NOT_EXIST: { code: 1400102, status: 400, message: 'The call does not exist.' },
  CALLEE_DOES_NOT_EXIST: { code: 1400103, status: 400, message: 'The callee does not exist.' },
  DIAL_MYSELF: { code: 1400104, status: 400, message: 'A user cannot dial themselves.' },
  NO_PERMISSION: { code: 1400105, status: 400, message: 'The user is not a participant of the call.' },
  INTERNAL: { code: 1400999, status: 500, message: 'Internal server error.' },
});
