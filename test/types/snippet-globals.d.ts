// What the migration guides' polyphone snippets take from the app around them.
declare const audioElement: HTMLAudioElement;
declare const password: string;
declare const jwt: string;
declare const accessToken: string;
declare function fetchToken(): Promise<string>;
declare function showRinging(from: string): void;
declare function render(...values: unknown[]): void;
// A later snippet goes on from the client and call of an earlier one.
declare const client: import('polyphone').VoiceClient;
declare const call: import('polyphone').Call;
