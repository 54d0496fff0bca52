// The conformance scenarios about the session: registering, refused and unreachable servers,
// token refresh, disconnecting, the whole call against the golden trace, and the secret scan.
// Each returns 'pass' or a checked `unsupported` (see ScenarioKit.lacking).
import { expect } from 'vitest';
import { expectedTraceFor, runBasicCallScenario, type ScenarioStep } from './basic-call.js';
import { GOLDEN, golden, goldenRestart } from './golden.js';
import type { OpResult } from './page-client.js';
import { CALL_OPTIONS, credentialStrings, DIGITS, RETRY_STATES, STEP_MS, UNREACHABLE_WITHIN_MS, type LabPage, type Outcome, type ScenarioKit } from './scenario-kit.js';
import { scanForSecrets } from './secrets.js';

export type SessionScenario = 'register' | 'wrong credentials' | 'unreachable server' | 'token refresh' | 'disconnect mid-call' | 'server restart' | 'basic call = golden trace' | 'no secret in traces or console';

/** How long a client may take to be back after its server restarted (each vendor's own first waits included). */
const RESTART_BACK_MS = 30_000;

export function sessionScenarios(kit: ScenarioKit): Record<SessionScenario, () => Promise<Outcome>> {
  const { target, expected, lab, pages, seen, secrets, nextClientNumber, newClient, wait, linesFrom, must, establish, capabilities, lacking, endsWith, collect } = kit;
  return {
    register: async () => {
      const caller = await newClient('caller');
      await caller.connect();
      expect(await caller.lines(), 'connect() trace').toEqual(GOLDEN.connect);
      expect((await caller.state()).client).toBe('connected');
      // Every capability declared away is pinned (and cited) in expected-matrix.ts.
      const declared = await capabilities(caller);
      const away = Object.keys(declared).filter((k) => declared[k] === false).sort();
      expect(away, `capabilities.* false on a connected ${target.name} client = its \`lacks\` in its expected column (expected-matrix.ts or target.expected)`).toEqual(Object.keys(expected.expectation.lacks).sort());
      const from = await caller.traceLength();
      must(await caller.disconnect(), 'disconnect()');
      await wait(caller, 'client stateChanged connected>disconnected', from);
      expect(await linesFrom(caller, from), 'disconnect() trace').toEqual(GOLDEN.disconnect);
      return 'pass';
    },

    'wrong credentials': async () => {
      const client = await newClient('caller', lab().wrongCredentials);
      const result = await client.op('connect');
      seen.push(result);
      expect(result.outcome, `connect() with refused credentials: ${result.message ?? ''}`).toBe('AUTH_REJECTED');
      expect(result.error?.provider, 'the error names the provider').toBe(target.name);
      expect(RETRY_STATES, 'a state connect() may be retried from').toContain((await client.state()).client);
      return 'pass';
    },

    'unreachable server': async () => {
      const client = await newClient('caller', lab().unreachable);
      const started = Date.now();
      const result = await client.op('connect');
      const ms = Date.now() - started;
      seen.push(result);
      expect(result.outcome, `connect() to a server that is not there: ${result.message ?? ''}`).toBe('NETWORK_UNREACHABLE');
      expect(ms, 'NETWORK_UNREACHABLE comes quickly (ms)').toBeLessThan(UNREACHABLE_WITHIN_MS);
      // Which state a failed connect() leaves depends on the phase that failed (a REST login
      // fails in authenticate, before `connecting`); what every provider must allow is a retry.
      expect(RETRY_STATES, 'a state connect() may be retried from').toContain((await client.state()).client);
      const again = await client.op('connect');
      seen.push(again);
      expect(again.outcome, `a second connect(): ${again.message ?? ''}`).toBe('NETWORK_UNREACHABLE');
      return 'pass';
    },

    'token refresh': async () => {
      const caller = await newClient('caller');
      await caller.connect();
      const credentials = lab().refreshWith?.();
      for (const secret of credentialStrings(credentials)) secrets.add(secret);
      const from = await caller.traceLength();
      const outcome = await pages().caller.evaluate(
        async ([name, creds]) => {
          try {
            await (window as any).__clients[name].client.refreshToken(creds);
            return 'ok';
          } catch (error: any) {
            return error?.name === 'VoiceError' ? String(error.code) : `THREW:${error?.name}`;
          }
        },
        [caller.name, credentials] as const,
      );
      const result: OpResult = { outcome, index: from };
      if (!(await capabilities(caller)).tokenRefresh) return lacking('tokenRefresh', result, 'refreshToken');
      must(result, 'refreshToken()');
      expect(await linesFrom(caller, from), 'refreshToken() trace').toEqual(['client tokenRefreshed']);
      expect((await caller.state()).client).toBe('connected');
      // Still usable with the new credentials: a call goes out and reaches the callee.
      const callee = await newClient('callee');
      await callee.connect();
      must(await caller.call(lab().target, CALL_OPTIONS), 'call() after refreshToken()');
      await wait(callee, 'client incomingCall');
      must(await caller.hangup(), 'hangup()');
      await endsWith(caller, 'canceled', callee, 'canceled');
      return 'pass';
    },

    'disconnect mid-call': async () => {
      const { caller, callee } = await establish();
      const from = await caller.traceLength();
      must(await caller.disconnect(), 'disconnect() during a call');
      await endsWith(caller, 'hangup', callee, 'remoteHangup');
      await wait(caller, 'client stateChanged connected>disconnected', from);
      const after = await linesFrom(caller, from);
      expect(after.indexOf('call#1 ended reason=hangup'), 'the call ends before the client disconnects').toBeLessThan(
        after.indexOf('client stateChanged connected>disconnected'),
      );
      expect((await caller.state()).client).toBe('disconnected');
      return 'pass';
    },

    'server restart': async () => {
      const restart = lab().restartServer;
      expect(restart, 'the lab can restart its server (ConformanceLab.restartServer)').toBeTypeOf('function');
      const callee = await newClient('callee');
      await callee.connect();
      const from = await callee.traceLength();
      await restart!();
      await callee.waitForLine('client stateChanged reconnecting>connected', { from, timeoutMs: RESTART_BACK_MS });
      expect(await linesFrom(callee, from), 'trace through a server restart vs golden/server-restart.json').toEqual(goldenRestart());
      // Registered again for real, on the restarted server: a call reaches the client.
      const caller = await newClient('caller');
      await caller.connect();
      const calleeFrom = await callee.traceLength();
      must(await caller.call(lab().target, CALL_OPTIONS), 'call() to the client after the restart');
      await wait(callee, 'client incomingCall', calleeFrom);
      must(await caller.hangup(), 'hangup()');
      await endsWith(caller, 'canceled', callee, 'canceled');
      return 'pass';
    },

    'basic call = golden trace': async () => {
      const names = { caller: `caller-${nextClientNumber()}`, callee: `callee-${nextClientNumber()}` };
      const run = await runBasicCallScenario({
        caller: { page: pages().caller, name: names.caller, config: lab().caller },
        callee: { page: pages().callee, name: names.callee, config: lab().callee },
        target: lab().target,
        callOptions: CALL_OPTIONS,
        answerOptions: CALL_OPTIONS,
        digits: DIGITS,
        stepTimeoutMs: STEP_MS,
      });
      // What each side declares (read after the run: some capabilities follow the login).
      const declared = async (page: LabPage, name: string) =>
        page.evaluate((n) => (window as any).__clients[n].client.capabilities, name) as Promise<Record<string, boolean>>;
      const callerCaps = await declared(pages().caller, names.caller);
      const calleeCaps = await declared(pages().callee, names.callee);
      const callerLacks: ScenarioStep[] = [];
      const calleeLacks: ScenarioStep[] = [];
      if (!callerCaps.mute) callerLacks.push('mute', 'unmute');
      if (!callerCaps.hold) callerLacks.push('hold', 'unhold');
      if (!callerCaps.hold || !calleeCaps.remoteHold) calleeLacks.push('hold', 'unhold');
      if (!callerCaps.dtmf) callerLacks.push('sendDtmf');
      if (!callerCaps.dtmf || !calleeCaps.receiveDtmf) calleeLacks.push('sendDtmf');
      const expected = expectedTraceFor(golden, { caller: callerLacks, callee: calleeLacks });
      expect(run.caller, 'caller trace vs golden/basic-call.json').toEqual(expected.caller);
      expect(run.callee, 'callee trace vs golden/basic-call.json').toEqual(expected.callee);
      return 'pass';
    },

    'no secret in traces or console': async () => {
      await collect(pages().caller);
      await collect(pages().callee);
      const all = [...secrets];
      expect(all.length, 'the lab has credentials to look for').toBeGreaterThan(0);
      const findings = scanForSecrets(seen, all);
      expect(findings.map((f) => f.path).slice(0, 5), 'places a secret was found').toEqual([]);
      // Positive control: the same scan over the same material, with one credential planted in a
      // console line as a careless SDK would log it, must find exactly that.
      const planted = scanForSecrets([...seen, [`login ok for ${encodeURIComponent(all[0]!)}`]], all);
      expect(planted.map((f) => f.path), 'the scan finds a planted credential').toEqual([`[${seen.length}][0]`]);
      return 'pass';
    },
  };
}
