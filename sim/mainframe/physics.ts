// One HV channel's physics, computed lazily from elapsed time (no timers): VMon ramps to V0Set at RUp
// and down at RDWn; IMon = VMon / load; IMon above I0Set for longer than Trip trips the channel
// (OVC, then INTTRIP; off at once by Kill or ramping down at RDWn, per PDwn).

/** Channel Status bits of the SYx527 (docs/caen-wrapper.md §8). */
export const StatusBit = {
  ON: 0, RUP: 1, RDW: 2, OVC: 3, OVV: 4, UNV: 5, EXTTRIP: 6, MAXV: 7, EXT_DIS: 8, INTTRIP: 9,
  CALIB_ERR: 10, UNPLUGGED: 11, UNC: 12, OVV_PROT: 13, POWER_FAIL: 14, TEMP_ERR: 15,
} as const;

/** The settable values of a channel, keyed by the CAEN parameter name. */
export interface ChannelSettings {
  V0Set: number;
  I0Set: number;
  V1Set: number;
  I1Set: number;
  RUp: number;
  RDWn: number;
  Trip: number;
  SVMax: number;
  Pw: number;
  POn: number;
  PDwn: number;
  TripInt: number;
  TripExt: number;
}

/** Trip times at or above this never trip (CAEN: 1000 s means infinite). */
const TRIP_INFINITE = 1000;
const EPS = 1e-9;

export class ChannelPhysics {
  /** true voltage (V) at time `t` (s) */
  private v = 0;
  private t: number;
  /** when IMon went above I0Set (s), null when it is not */
  private ocSince: number | null = null;
  private tripped = false;
  /** Status bits injected as faults (interlock, power fail, ...), shown on top of the physics */
  injectedBits = 0;

  constructor(
    readonly settings: ChannelSettings,
    public loadMOhm: number,
    now: number,
  ) {
    this.t = now;
    this.v = this.target();
    this.updateOvercurrent();
  }

  private target(): number {
    return this.settings.Pw ? Math.min(this.settings.V0Set, this.settings.SVMax) : 0;
  }

  /** the voltage at which IMon equals I0Set: uA x MOhm = V */
  private vThreshold(): number {
    return this.settings.I0Set * this.loadMOhm;
  }

  private updateOvercurrent(): void {
    const over = this.v > this.vThreshold() + EPS;
    if (over && this.ocSince === null) this.ocSince = this.t;
    if (!over) this.ocSince = null;
  }

  /** Brings the state to time `now`, walking through ramp ends, threshold crossings and trips. */
  advance(now: number): void {
    for (let guard = 0; this.t < now && guard < 1000; guard++) {
      const s = this.settings;
      const target = this.target();
      const v = this.v;
      const up = target > v;
      const rate = Math.max(up ? s.RUp : s.RDWn, EPS);
      const dist = Math.abs(target - v);
      const tReach = dist < EPS ? Infinity : this.t + dist / rate;
      const vth = this.vThreshold();
      const crosses = dist >= EPS && ((up && v < vth && target > vth) || (!up && v > vth && target < vth));
      const tCross = crosses ? this.t + Math.abs(vth - v) / rate : Infinity;
      const tTrip = s.Pw && this.ocSince !== null && s.Trip < TRIP_INFINITE ? this.ocSince + s.Trip : Infinity;
      const tNext = Math.min(now, tReach, tCross, tTrip);
      this.v = tNext >= tReach || dist < EPS ? target : v + (up ? 1 : -1) * rate * (tNext - this.t);
      this.t = Math.max(this.t, tNext);
      if (tNext === tTrip) {
        this.trip();
      } else if (tNext === tCross) {
        this.v = vth;
        this.ocSince = up ? this.t : null;
      } else {
        this.updateOvercurrent();
      }
    }
    this.t = Math.max(this.t, now);
  }

  /** The channel trips now: Pw goes off, INTTRIP latches; PDwn Kill (0) drops VMon at once. */
  trip(): void {
    this.tripped = true;
    this.settings.Pw = 0;
    if (!this.settings.PDwn) this.v = 0;
    this.updateOvercurrent();
  }

  /** Kill command: off at once, no trip. */
  kill(): void {
    this.settings.Pw = 0;
    this.v = 0;
    this.updateOvercurrent();
  }

  clearAlarm(): void {
    this.tripped = false;
  }

  /** Changes a setting at time `now` (advance first so the past keeps its old rules). */
  set(name: keyof ChannelSettings, value: number, now: number): void {
    this.advance(now);
    if (name === 'Pw' && value && !this.settings.Pw) this.tripped = false;
    this.settings[name] = value;
    if (name === 'SVMax') {
      this.settings.V0Set = Math.min(this.settings.V0Set, value);
      this.settings.V1Set = Math.min(this.settings.V1Set, value);
    }
    this.updateOvercurrent();
  }

  setLoad(loadMOhm: number, now: number): void {
    this.advance(now);
    this.loadMOhm = loadMOhm;
    this.updateOvercurrent();
  }

  /** Off and discharged, INTTRIP cleared: a board that was pulled out and put back. */
  reset(now: number): void {
    this.advance(now);
    this.settings.Pw = 0;
    this.v = 0;
    this.tripped = false;
    this.updateOvercurrent();
  }

  voltage(now: number): number {
    this.advance(now);
    return this.v;
  }

  currentUa(now: number): number {
    this.advance(now);
    return this.loadMOhm > 0 ? this.v / this.loadMOhm : 0;
  }

  status(now: number): number {
    this.advance(now);
    let st = 0;
    if (this.settings.Pw) st |= 1 << StatusBit.ON;
    const target = this.target();
    if (target - this.v > 0.05) st |= 1 << StatusBit.RUP;
    if (this.v - target > 0.05) st |= 1 << StatusBit.RDW;
    if (this.ocSince !== null) st |= 1 << StatusBit.OVC;
    if (this.tripped) st |= 1 << StatusBit.INTTRIP;
    // asked for more than SVMax: the channel holds at its limit
    if (this.settings.Pw && this.settings.V0Set > this.settings.SVMax && this.v >= this.settings.SVMax - 0.05) st |= 1 << StatusBit.MAXV;
    return (st | this.injectedBits) >>> 0;
  }
}

/** Deterministic noise in [-1, 1) from a seed and integers (a 32-bit hash, no state). */
export function noise(seed: number, ...keys: number[]): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const k of keys) {
    h = Math.imul(h ^ (k >>> 0), 0x85ebca6b) >>> 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
  }
  return (h >>> 0) / 2 ** 31 - 1;
}
