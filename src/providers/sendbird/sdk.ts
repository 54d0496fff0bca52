/**
 * sendbird-calls is one instance per page. `init(appId)` with the app id it already has is a
 * no-op (its hosts included); with another it deauthenticates the old instance and carries its
 * listeners over. A polyphone client owns the instance from its `init` on, starting clean.
 */
import { importVendorSdk } from '../../core/provider-kit.js';
import { NAME, initFailure } from './errors.js';

export type SendBirdCallSdk = typeof import('sendbird-calls');

/** What a provider instance must do when another client takes the page's SDK instance over. */
export interface SdkOwner {
  takenOver(): void;
}

let owner: SdkOwner | undefined;
// An app id the SDK has certainly never been given, used to make it drop the current instance.
const THROWAWAY_APP_ID = 'POLYPHONE-RESET';

export async function loadSdk(): Promise<SendBirdCallSdk> {
  const module = await importVendorSdk(NAME, 'sendbird-calls', () => import('sendbird-calls'));
  // The package is UMD: bundlers and Node hand it over as the default export.
  return ((module as unknown as { default?: SendBirdCallSdk }).default ?? module) as SendBirdCallSdk;
}

/**
 * Gives `next` a fresh SDK instance for `appId` and the hosts: any session, call or socket of the
 * previous instance on this page is dropped, and its polyphone owner is told.
 */
export function initFresh(sdk: SendBirdCallSdk, next: SdkOwner, appId: string, apiHost: string | undefined, wsHost: string | undefined): void {
  const previous = owner;
  try {
    // Same app id: the SDK would keep the old instance and its hosts. Go through another app id
    // so that `init` below builds a new one (deauthenticating the old).
    if (sdk.appId === appId) sdk.init(THROWAWAY_APP_ID);
    sdk.init(appId, apiHost, wsHost);
  } catch (error) {
    throw initFailure(error);
  }
  owner = next;
  if (previous && previous !== next) previous.takenOver();
}

export function ownsSdk(candidate: SdkOwner): boolean {
  return owner === candidate;
}

export function release(candidate: SdkOwner): void {
  if (owner === candidate) owner = undefined;
}
