// The conformance matrix: every suite run records one cell per scenario into a folder shared by
// the test processes; the global setup's teardown reads them all and prints scenario × provider.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The scenarios of the suite, in the order they run and are printed. */
export const SCENARIOS = [
  'register',
  'wrong credentials',
  'unreachable server',
  'outgoing call with audio',
  'incoming call',
  'heard through the app audioElement',
  'reject',
  'cancel',
  'unanswered',
  'remote hangup',
  'mute',
  'hold',
  'far end sees hold',
  'DTMF',
  'DTMF received',
  'token refresh',
  'disconnect mid-call',
  'server restart',
  'basic call = golden trace',
  'no secret in traces or console',
] as const;

export type ScenarioName = (typeof SCENARIOS)[number];

/**
 * `unsupported` passes only where expected-matrix.ts pins it: the provider declares it lacks the
 * capability AND answered as required (UNSUPPORTED, or nothing at all on the far side).
 */
export type CellOutcome = 'pass' | 'fail' | 'unsupported';

export interface Cell {
  outcome: CellOutcome;
  /** One line: why it failed, or what was checked for `unsupported`. */
  reason?: string;
}

/** The browser engines a column can run in (lab/browser); Chromium is the default. */
export type Browser = 'chromium' | 'firefox';
export const BROWSERS: readonly Browser[] = ['chromium', 'firefox'];

/** A column's key: the provider alone in Chromium (as before engines), `provider@engine` otherwise. */
export function columnOf(provider: string, browser: Browser = 'chromium'): string {
  return browser === 'chromium' ? provider : `${provider}@${browser}`;
}

/** The provider and browser of a column's key. */
export function parseColumn(column: string): { provider: string; browser: string } {
  const at = column.lastIndexOf('@');
  return at < 0 ? { provider: column, browser: 'chromium' } : { provider: column.slice(0, at), browser: column.slice(at + 1) };
}

/** How a column is headed in the table: provider and browser. */
const headingOf = (column: string) => {
  const { provider, browser } = parseColumn(column);
  return `${provider} ${browser}`;
};

/** Where cells go: set by test/conformance/matrix-setup.ts; without it nothing is recorded. */
export const MATRIX_DIR_ENV = 'POLYPHONE_CONFORMANCE_DIR';

// The built-in providers first, in the order of the README; others after them by name.
const PROVIDER_ORDER = ['sipjs', 'cognigy', 'telnyx', 'sendbird'];

const fileOf = (dir: string, provider: string) => join(dir, `${encodeURIComponent(provider)}.json`);

/** Records (or overwrites) one cell of a provider's column. */
export function recordCell(dir: string | undefined, provider: string, scenario: string, cell: Cell): void {
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const file = fileOf(dir, provider);
  const column = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, Cell>) : {};
  column[scenario] = cell;
  writeFileSync(file, `${JSON.stringify(column, null, 2)}\n`);
}

/** provider → scenario → cell, for every provider that recorded anything. */
export function readCells(dir: string): Map<string, Record<string, Cell>> {
  const columns = new Map<string, Record<string, Cell>>();
  if (!existsSync(dir)) return columns;
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    columns.set(decodeURIComponent(name.slice(0, -'.json'.length)), JSON.parse(readFileSync(join(dir, name), 'utf8')) as Record<string, Cell>);
  }
  return columns;
}

/** Columns by provider (built-in order first), then by browser (Chromium first). */
function orderedProviders(columns: Map<string, unknown>): string[] {
  const rank = (p: string) => (PROVIDER_ORDER.includes(p) ? PROVIDER_ORDER.indexOf(p) : PROVIDER_ORDER.length);
  const browserRank = (b: string) => (BROWSERS.includes(b as Browser) ? BROWSERS.indexOf(b as Browser) : BROWSERS.length);
  const key = (c: string) => parseColumn(c);
  return [...columns.keys()].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    return rank(x.provider) - rank(y.provider) || x.provider.localeCompare(y.provider) || browserRank(x.browser) - browserRank(y.browser) || x.browser.localeCompare(y.browser);
  });
}

/** A Markdown table (readable as plain text too), then one line per fail and per unsupported. */
export function formatMatrix(columns: Map<string, Record<string, Cell>>): string {
  const providers = orderedProviders(columns);
  const scenarios = [...SCENARIOS, ...new Set([...columns.values()].flatMap((c) => Object.keys(c)).filter((s) => !(SCENARIOS as readonly string[]).includes(s)))];
  const width = Math.max(...scenarios.map((s) => s.length), 'scenario'.length);
  const colWidth = providers.map((p) => Math.max(headingOf(p).length, 'unsupported'.length));
  const row = (first: string, cells: string[]) => `| ${first.padEnd(width)} | ${cells.map((c, i) => c.padEnd(colWidth[i]!)).join(' | ')} |`;
  const lines = [row('scenario', providers.map(headingOf)), `|${'-'.repeat(width + 2)}|${colWidth.map((w) => '-'.repeat(w + 2)).join('|')}|`];
  const notes: string[] = [];
  for (const scenario of scenarios) {
    lines.push(
      row(
        scenario,
        providers.map((provider) => {
          const cell = columns.get(provider)?.[scenario];
          if (!cell) return '—';
          if (cell.outcome !== 'pass' && cell.reason) notes.push(`- ${cell.outcome} · ${headingOf(provider)} · ${scenario}: ${cell.reason}`);
          return cell.outcome;
        }),
      ),
    );
  }
  const counts = providers.map((p) => {
    const cells = Object.values(columns.get(p) ?? {});
    return `${headingOf(p)} ${cells.filter((c) => c.outcome === 'pass').length} pass / ${cells.filter((c) => c.outcome === 'unsupported').length} unsupported / ${cells.filter((c) => c.outcome === 'fail').length} fail`;
  });
  return [...lines, '', counts.join(' · '), ...(notes.length ? ['', ...notes] : [])].join('\n');
}
