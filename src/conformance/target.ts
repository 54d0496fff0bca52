// What a provider author hands the conformance suite: a lab (servers on loopback and the configs
// of two users on them) and, for a provider polyphone does not ship, the module exporting it.
import type { ExpectedColumnSpec } from './expectations.js';
import type { Browser } from './matrix.js';

/** A polyphone config as an app would pass it to createVoiceClient(); plain data only. */
export type ClientConfig = Record<string, unknown> | string;

export interface ConformanceLab {
  /** Places the calls. */
  caller: ClientConfig;
  /** Receives them; always a different identity from the caller. */
  callee: ClientConfig;
  /** What the caller dials to reach the callee. */
  target: string;
  /** Reaches the server, but its credentials are refused: connect() must fail AUTH_REJECTED. */
  wrongCredentials: ClientConfig;
  /** Points at a server that is not there: connect() must fail NETWORK_UNREACHABLE, quickly. */
  unreachable: ClientConfig;
  /** What the caller's refreshToken() is given (undefined: called without arguments). */
  refreshWith?: () => unknown;
  /**
   * Secrets to look for besides the credentials in the configs above (found by themselves), e.g.
   * passwords a backend hands out. None may appear in any trace, error or console line.
   */
  secrets?: string[];
  /**
   * Restarts the server on the same address (scenario "server restart"): every session on it is
   * lost, as when its process restarts, and it takes new ones again when this resolves. A lab
   * without it fails that scenario: surviving a restart is not optional.
   */
  restartServer?(): Promise<void>;
  stop(): Promise<void>;
}

export interface ConformanceTarget {
  /** The provider's name: the matrix column. */
  name: string;
  startLab(): Promise<ConformanceLab>;
  /**
   * For a provider polyphone does not ship: a module (absolute path) exporting `provider`, its
   * ProviderDefinitionV1. It is bundled into the lab page with the polyphone it imports (one
   * core, so its VoiceErrors are polyphone's) and handed over to `createVoiceClient`, so a
   * config whose `provider` is that definition's name gets it. Without it the page is the
   * repository's own lab page (polyphone's built-in providers, run from its source tree).
   */
  providerModule?: string;
  /** The engine the pages run in (default chromium): each engine is its own matrix column. */
  browser?: Browser;
  /**
   * The provider's expected column: every capability it declares away (cited) and the cells that
   * turn `unsupported`. Without it every cell must pass and no capability may be declared away.
   * (polyphone's own test files fill it from test/conformance/expected-matrix.ts.)
   */
  expected?: ExpectedColumnSpec;
  /**
   * Only with `providerModule`: the page's polyphone also knows the four built-in providers
   * (`polyphone/all`, which needs every vendor SDK installed). Default false: the core alone.
   */
  builtInProviders?: boolean;
}
