/** @jsxRuntime automatic */
/** @jsxImportSource react */
// The call part of the softphone, on polyphone/react: the client's state and the call list come
// from the hooks (useClientState, useCalls), every action is a button. What it offers follows the
// provider's capabilities: call waiting where `multipleCalls`, transfer where `transfer`, devices
// where `inputSelection`/`outputSelection`; nothing here knows which vendor runs.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useCalls, useClientState, useVoiceClient, type CallSnapshot } from '../src/react/index.js';
import type { Call, VoiceClient } from '../src/all.js';
import { useCallQuality, useCallState, useDeviceLists, useOutputLevel, useTranscript } from './hooks.js';

/** Runs an action of a button; a failure is shown (its code), never thrown into React. */
export type Act = (what: string, run: () => Promise<unknown> | undefined) => () => void;

/** Each call plays into its own element, so switching between calls never cuts one's audio. */
export function audioSink(): HTMLAudioElement {
  const element = document.createElement('audio');
  element.autoplay = true;
  document.getElementById('audio-sinks')!.append(element);
  return element;
}

const established = (c: CallSnapshot) => c.state === 'active' || c.state === 'held';

/** The call the global buttons act on: the chosen one while live, else one ringing in, else the newest. */
export function focusOf(calls: readonly CallSnapshot[], chosen: number | undefined): CallSnapshot | undefined {
  return calls.find((c) => c.id === chosen) ?? calls.find((c) => c.direction === 'incoming' && c.state === 'ringing') ?? calls.at(-1);
}

function CallRow(props: { snapshot: CallSnapshot; others: readonly CallSnapshot[]; focused: boolean; transfer: boolean; transferTarget: string; act: Act; choose(): void }): ReactNode {
  const { snapshot: s, act } = props;
  const call = s.call;
  const ringingIn = s.direction === 'incoming' && s.state === 'ringing';
  const someoneActive = props.others.some((o) => o.state === 'active');
  return (
    <li data-call={s.id} data-state={s.state} data-direction={s.direction} data-held={String(s.held)} data-muted={String(s.muted)} data-focused={String(props.focused)} onClick={props.choose}>
      <span className="who">
        #{s.id} {s.direction === 'incoming' ? '←' : '→'} {s.displayName ?? s.peer} <b className="state">{s.state}</b>
        {s.muted ? ' muted' : ''}
        {s.heldBy === 'remote' ? ' (held by the other side)' : ''}
      </span>
      {ringingIn && (
        <>
          <button data-action="answer" onClick={act('answer', () => call.answer({ audioElement: audioSink() }))}>{someoneActive ? 'Answer (hold the other)' : 'Answer'}</button>
          <button data-action="reject" onClick={act('reject', () => call.reject())}>Reject</button>
        </>
      )}
      {s.state === 'held' && s.heldBy !== 'remote' && (
        <button data-action="switch" onClick={act('switch', () => call.unhold())}>{someoneActive ? 'Switch to this call' : 'Resume'}</button>
      )}
      {s.state === 'active' && <button data-action="hold" onClick={act('hold', () => call.hold())}>Hold</button>}
      {established(s) && (
        <button data-action={s.muted ? 'unmute' : 'mute'} onClick={act('mute', () => (s.muted ? call.unmute() : call.mute()))}>{s.muted ? 'Unmute' : 'Mute'}</button>
      )}
      {props.transfer && established(s) && (
        <button data-action="blind-transfer" disabled={!props.transferTarget} onClick={act('transfer', () => call.transfer(props.transferTarget))}>Transfer to {props.transferTarget || '…'}</button>
      )}
      {props.transfer &&
        established(s) &&
        props.others.filter(established).map((o) => (
          <button key={o.id} data-action={`attended-transfer-${o.id}`} onClick={act('transfer', () => call.transfer(o.call))}>Connect with #{o.id}</button>
        ))}
      <button data-action="hangup" onClick={act('hangup', () => call.hangup())}>Hang up</button>
    </li>
  );
}

function Quality({ call }: { call: Call | undefined }): ReactNode {
  const sample = useCallQuality(call);
  const level = useOutputLevel(call);
  const n = (v: unknown, unit = '') => (typeof v === 'number' ? `${Math.round(v * 10) / 10}${unit}` : '–');
  return (
    <div>
      remote audio <meter id="level" min={0} max={1} value={level} />
      <span id="quality" hidden={!sample}>
        {' '}MOS {n(sample?.mos)} · RTT {n(sample?.rttMs, ' ms')} · jitter {n(sample?.jitterMs, ' ms')} · loss {n(sample?.packetLossPct, ' %')}
      </span>
    </div>
  );
}

function DevicePickers({ client, act }: { client: VoiceClient | undefined; act: Act }): ReactNode {
  const { state, capabilities } = useClientState();
  const lists = useDeviceLists(client, state === 'connected');
  if (!client || !lists || !(capabilities.inputSelection || capabilities.outputSelection)) return null;
  return (
    <div id="devices">
      {capabilities.inputSelection && (
        <label>
          microphone{' '}
          <select id="input-device" onChange={(e) => act('input', () => client.devices.setInput(e.target.value || undefined))()}>
            <option value="">default</option>
            {lists.inputs.map((d) => <option key={d.deviceId} value={d.deviceId}>{d.label || d.deviceId}</option>)}
          </select>
        </label>
      )}{' '}
      {capabilities.outputSelection && (
        <label>
          speaker{' '}
          <select id="output-device" onChange={(e) => act('output', () => client.devices.setOutput(e.target.value || undefined))()}>
            <option value="">default</option>
            {lists.outputs.map((d) => <option key={d.deviceId} value={d.deviceId}>{d.label || d.deviceId}</option>)}
          </select>
        </label>
      )}
    </div>
  );
}

function AgentPanel({ call, act }: { call: Call | undefined; act: Act }): ReactNode {
  const { capabilities } = useClientState();
  const transcript = useTranscript(call);
  const [text, setText] = useState('');
  const live = useCallState(call);
  return (
    <fieldset id="agent" hidden={!(call && (capabilities.agentTranscript || capabilities.agentText))}>
      <legend>AI agent</legend>
      <ol id="transcript">
        {transcript.map((e) => <li key={e.id} data-id={e.id} data-role={e.role} data-final={String(e.final)}>{`${e.role}: ${e.text}`}</li>)}
      </ol>
      <input id="agent-text" type="text" placeholder="type to the agent" value={text} onChange={(e) => setText(e.target.value)} />
      <button id="send-text" disabled={!(capabilities.agentText && (live === 'active' || live === 'held'))} onClick={act('send text', async () => (await call?.sendText(text), setText('')))}>Send</button>
    </fieldset>
  );
}

/**
 * The call part. Once no call is live it still shows the last one (so an ended call reads
 * `ended`); `onShown` tells the page which call it shows.
 */
export function Phone(props: { act: Act; dial: string; setDial(v: string): void; onShown(call: Call | undefined): void }): ReactNode {
  const { act } = props;
  const client = useVoiceClient();
  const { state, capabilities } = useClientState();
  const calls = useCalls();
  const [chosen, setChosen] = useState<number | undefined>(undefined);
  const [transferTarget, setTransferTarget] = useState('');
  const focus = focusOf(calls, chosen);
  const last = useRef<Call | undefined>(undefined);
  if (focus) last.current = focus.call;
  const shown = focus?.call ?? last.current;
  const shownState = useCallState(shown);
  const { onShown } = props;
  useEffect(() => {
    onShown(shown);
    document.body.dataset.callState = shown ? shownState : 'none';
  }, [onShown, shown, shownState]);
  const connected = state === 'connected';
  const live = focus !== undefined;
  const ringingIn = focus?.direction === 'incoming' && focus.state === 'ringing';
  const canPlace = connected && (!live || capabilities.multipleCalls === true);
  return (
    <>
      <fieldset>
        <legend>Call</legend>
        <input id="target" type="text" placeholder="who to call" value={props.dial} onChange={(e) => props.setDial(e.target.value)} />
        <button id="call" disabled={!canPlace} onClick={act('call', () => client?.call(props.dial, { audioElement: audioSink() }))}>Call</button>
        <button id="hangup" disabled={!live} onClick={act('hangup', () => focus?.call.hangup())}>Hang up</button>
        <button id="answer" disabled={!ringingIn} onClick={act('answer', () => focus?.call.answer({ audioElement: audioSink() }))}>Answer</button>
        <button id="reject" disabled={!ringingIn} onClick={act('reject', () => focus?.call.reject())}>Reject</button>
        <button id="mute" disabled={!(focus && established(focus))} onClick={act('mute', () => (focus?.muted ? focus.call.unmute() : focus?.call.mute()))}>{focus?.muted ? 'Unmute' : 'Mute'}</button>
        <button id="hold" disabled={!(focus && established(focus))} onClick={act('hold', () => (focus?.state === 'held' ? focus.call.unhold() : focus?.call.hold()))}>{focus?.state === 'held' ? 'Unhold' : 'Hold'}</button>
        <div>
          call <span id="call-state" className="state">{shown ? `${shown.direction} ${shownState}${focus?.muted ? ' (muted)' : ''}` : 'no call'}</span>
        </div>
        <Quality call={focus?.call} />
        <div id="dialpad">
          {[...'123456789*0#'].map((digit) => (
            <button key={digit} onClick={focus?.state === 'active' ? act('dtmf', () => focus.call.sendDtmf(digit)) : () => props.setDial(props.dial + digit)}>{digit}</button>
          ))}
        </div>
        <DevicePickers client={client} act={act} />
      </fieldset>
      <fieldset>
        <legend>Calls</legend>
        {capabilities.transfer && (
          <label>
            transfer to <input id="transfer-target" type="text" placeholder="sip:carol@… or user" value={transferTarget} onChange={(e) => setTransferTarget(e.target.value)} />
          </label>
        )}
        <ol id="calls" data-count={calls.length}>
          {calls.map((c) => (
            <CallRow
              key={c.id}
              snapshot={c}
              others={calls.filter((o) => o !== c)}
              focused={c === focus}
              transfer={capabilities.transfer === true}
              transferTarget={transferTarget}
              act={act}
              choose={() => setChosen(c.id)}
            />
          ))}
        </ol>
        <small>{capabilities.multipleCalls ? 'A call arriving during another one rings here (call waiting).' : connected ? 'This provider has one call at a time.' : ''}</small>
      </fieldset>
      <AgentPanel call={shown} act={act} />
    </>
  );
}
