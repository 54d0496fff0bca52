// What a lab page exposes: the polyphone API, bundled with code splitting so each provider and
// its vendor SDK arrive as their own chunk only when chosen.
import * as polyphone from '../../src/all.js';

(window as unknown as { polyphone: typeof polyphone }).polyphone = polyphone;
