/** Installs window.__harness and window.__clients in a lab page (runs in the page, from its source). */
export function installPageHarness(): void;
