// What a bench's figures were measured on, printed as one `meta: {json}` line by the benches
// that run alone (bench/memory.mjs, bench/load.mjs, bench/shift.mjs --json), so that bench/run.mjs
// can put a saved run's figures in bench/results/ with its own date, machine, load and arguments.
import os from 'node:os';

export function machineText(chromiumVersion) {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GB RAM, ${os.type()} ${os.release()}; Node ${process.version}${chromiumVersion ? `, Chromium ${chromiumVersion}` : ''}`;
}

/** Call at the start; `.finish()` at the end gives the record. */
export function startMeta(command) {
  const started = Date.now();
  const loadBefore = os.loadavg()[0];
  return {
    finish(chromiumVersion) {
      return {
        command,
        started: new Date(started).toISOString(),
        minutes: Number(((Date.now() - started) / 60_000).toFixed(1)),
        machine: machineText(chromiumVersion),
        loadBefore: Number(loadBefore.toFixed(1)),
        loadAfter: Number(os.loadavg()[0].toFixed(1)),
      };
    },
  };
}

/** The `meta: {json}` line of a saved run's output, if it has one. */
export function readMeta(text) {
  const line = text.split('\n').find((l) => l.startsWith('meta: '));
  return line ? JSON.parse(line.slice('meta: '.length)) : undefined;
}
