/**
 * Microphones and speakers, one API whatever the vendor. The browser owns the devices; the core
 * remembers the choice, applies it to the call in progress (the provider's `setInput` hook swaps
 * the sending track without renegotiation; the speaker is the audio element's `setSinkId`) and
 * falls back to the default when the device in use goes away.
 */
import { createEmitter, type Emitter, type Handler } from '../emitter.js';
import { VoiceError, describeCause } from '../errors.js';
import type { TraceRecorder } from '../trace.js';

export interface AudioDevice {
  deviceId: string;
  kind: 'audioinput' | 'audiooutput';
  /** Empty until the page has been granted the microphone once (the browser's rule). */
  label: string;
  groupId: string;
}

export interface AudioDeviceList {
  inputs: AudioDevice[];
  outputs: AudioDevice[];
}

export type DeviceEvents = {
  /** The set of microphones or speakers changed (plugged in, unplugged, permission granted). */
  devicesChanged: AudioDeviceList;
  /** The chosen device went away; polyphone went back to the default one. */
  deviceLost: { kind: 'input' | 'output'; deviceId: string; fallback: 'default' };
  /** The microphone of the call in progress changed (chosen by the app, or the fallback). */
  inputChanged: { deviceId: string | undefined; reason: 'selected' | 'fallback' };
};

/** What the devices need of the call in progress; the core's Call implements it. */
export interface MediaTarget {
  /** Swaps the sending microphone for one matching `audio`; rejects UNSUPPORTED where the vendor cannot. */
  switchInput(audio: MediaTrackConstraints): Promise<void>;
  /** Points the call's audio element at a speaker (and remembers it for an element given later). */
  setSinkId(deviceId: string): Promise<void>;
}

/** The browser can choose where an audio element plays. */
export function canSelectOutput(): boolean {
  return typeof HTMLMediaElement !== 'undefined' && typeof (HTMLMediaElement.prototype as { setSinkId?: unknown }).setSinkId === 'function';
}

/** Constraints that pick a microphone; undefined: the default one. */
export function inputConstraints(deviceId: string | undefined): MediaTrackConstraints | undefined {
  return deviceId === undefined || deviceId === 'default' ? undefined : { deviceId: { exact: deviceId } };
}

export class Devices {
  private readonly emitter: Emitter<DeviceEvents> = createEmitter<DeviceEvents>((type, error) => this.handlerFailed(String(type), error));
  private _input: string | undefined;
  private _output: string | undefined;
  private watching = false;
  private known: AudioDeviceList | undefined;
  // A vanished microphone is reported twice by browsers (its track ends, devicechange fires), in
  // either order: one fallback, one deviceLost.
  private fallingBack = false;
  private readonly onDeviceChange = () => void this.refresh();

  /** @internal */
  constructor(
    private readonly provider: string,
    private readonly currentCall: () => MediaTarget | undefined,
    private readonly trace: TraceRecorder,
    private readonly handlerFailed: (event: string, error: unknown) => void = () => {},
  ) {}

  /** The chosen microphone (undefined: the default). */
  get input(): string | undefined {
    return this._input;
  }
  /** The chosen speaker (undefined: the default). */
  get output(): string | undefined {
    return this._output;
  }

  on<K extends keyof DeviceEvents>(type: K, handler: Handler<DeviceEvents[K]>): () => void {
    this.emitter.on(type, handler);
    this.watch();
    return () => this.off(type, handler);
  }
  off<K extends keyof DeviceEvents>(type: K, handler: Handler<DeviceEvents[K]>): void {
    this.emitter.off(type, handler);
  }

  async list(): Promise<AudioDeviceList> {
    const media = typeof navigator === 'undefined' ? undefined : navigator.mediaDevices;
    if (!media?.enumerateDevices) {
      throw new VoiceError('WEBRTC_UNSUPPORTED', 'This environment cannot list media devices.', { provider: this.provider });
    }
    let all: MediaDeviceInfo[];
    try {
      all = await media.enumerateDevices();
    } catch (error) {
      throw new VoiceError('INTERNAL', 'The media devices could not be listed.', { provider: this.provider, cause: describeCause(error) });
    }
    const pick = (kind: AudioDevice['kind']) =>
      all.filter((d) => d.kind === kind).map((d) => ({ deviceId: d.deviceId, kind, label: d.label, groupId: d.groupId }));
    return { inputs: pick('audioinput'), outputs: pick('audiooutput') };
  }

  /** Chooses the microphone for the next calls and, without renegotiation, for the call in progress. */
  async setInput(deviceId: string | undefined): Promise<void> {
    this.checkId(deviceId);
    this.watch();
    const previous = this._input;
    this._input = deviceId === 'default' ? undefined : deviceId;
    const call = this.currentCall();
    if (!call) return;
    try {
      await call.switchInput(inputConstraints(this._input) ?? {});
    } catch (error) {
      this._input = previous;
      throw error;
    }
    this.emit('inputChanged', { deviceId: this._input, reason: 'selected' });
  }

  /** Chooses the speaker of the call's audio element (`capabilities.outputSelection`). */
  async setOutput(deviceId: string | undefined): Promise<void> {
    this.checkId(deviceId);
    if (!canSelectOutput()) {
      throw new VoiceError('UNSUPPORTED', 'This browser cannot choose the speaker (no setSinkId).', { provider: this.provider, details: { operation: 'setOutput' } });
    }
    this.watch();
    this._output = deviceId === 'default' ? undefined : deviceId;
    await this.currentCall()?.setSinkId(this._output ?? '');
  }

  /** @internal The constraints of the chosen microphone, for a call being placed or answered. */
  audioConstraints(): MediaTrackConstraints | undefined {
    return inputConstraints(this._input);
  }

  /** @internal The call's microphone track ended (the device went away): back to the default. */
  async inputEnded(): Promise<void> {
    if (this.fallingBack) return;
    this.fallingBack = true;
    const lost = this._input ?? 'default';
    this._input = undefined;
    this.emit('deviceLost', { kind: 'input', deviceId: lost, fallback: 'default' });
    try {
      const call = this.currentCall();
      if (!call) return;
      await call.switchInput({});
      this.emit('inputChanged', { deviceId: undefined, reason: 'fallback' });
    } catch {
      /* the call reports its own trouble; with no microphone left there is nothing to switch to */
    } finally {
      this.fallingBack = false;
    }
  }

  private async refresh(): Promise<void> {
    let now: AudioDeviceList;
    try {
      now = await this.list();
    } catch {
      return;
    }
    const same = (a: AudioDevice[] | undefined, b: AudioDevice[]) =>
      !!a && a.length === b.length && a.every((d, i) => d.deviceId === b[i]!.deviceId && d.label === b[i]!.label);
    if (this.known && same(this.known.inputs, now.inputs) && same(this.known.outputs, now.outputs)) return;
    this.known = now;
    this.emit('devicesChanged', now);
    if (this._output !== undefined && !now.outputs.some((d) => d.deviceId === this._output)) {
      const lost = this._output;
      this._output = undefined;
      this.emit('deviceLost', { kind: 'output', deviceId: lost, fallback: 'default' });
      await this.currentCall()?.setSinkId('').catch(() => {});
    }
    // Between calls nothing ends a track: a chosen microphone that is gone is dropped here.
    if (this._input !== undefined && !now.inputs.some((d) => d.deviceId === this._input)) {
      if (this.currentCall()) await this.inputEnded();
      else {
        const lost = this._input;
        this._input = undefined;
        this.emit('deviceLost', { kind: 'input', deviceId: lost, fallback: 'default' });
      }
    }
  }

  /** Listens for the browser's devicechange once somebody cares about devices. */
  private watch(): void {
    if (this.watching || typeof navigator === 'undefined' || !navigator.mediaDevices?.addEventListener) return;
    this.watching = true;
    navigator.mediaDevices.addEventListener('devicechange', this.onDeviceChange);
    void this.list().then((l) => (this.known ??= l), () => {});
  }

  /** @internal Listens again after a reconnect, if the app has handlers. */
  resume(): void {
    if (this.emitter.count() > 0) this.watch();
  }

  /** @internal Stops listening (the client is disconnected). */
  dispose(): void {
    if (!this.watching) return;
    this.watching = false;
    navigator.mediaDevices.removeEventListener('devicechange', this.onDeviceChange);
  }

  private checkId(deviceId: unknown): void {
    if (deviceId !== undefined && (typeof deviceId !== 'string' || deviceId === '')) {
      throw new VoiceError('INVALID_ARGUMENT', 'A device id must be a non-empty string (or undefined for the default).', { provider: this.provider, details: { field: 'deviceId' } });
    }
  }

  private emit<K extends keyof DeviceEvents>(type: K, payload: DeviceEvents[K]): void {
    const data: Record<string, string> = {};
    if (type === 'deviceLost') Object.assign(data, { kind: (payload as DeviceEvents['deviceLost']).kind });
    if (type === 'inputChanged') data.reason = (payload as DeviceEvents['inputChanged']).reason;
    this.trace.record('client', type, data);
    try {
      this.emitter.emit(type, payload);
    } catch {
      /* an app handler's own failure must not break device handling */
    }
  }
}
