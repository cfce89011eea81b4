// Result codes of the CAEN HV Wrapper library (docs/caen-wrapper.md §6) that the simulated mainframe answers,
// and the error type its crate model throws. Imports nothing of the project.

export const Code = {
  OK: 0,
  SYSERR: 1,
  TIMEERR: 4,
  DOWN: 5,
  SLOTNOTPRES: 7,
  OUTOFRANGE: 10,
  EXECNOTFOUND: 15,
  NOTSYSPROP: 16,
  NOTGETPROP: 17,
  NOTSETPROP: 18,
  PARAMPROPNOTFOUND: 21,
  PARAMNOTFOUND: 22,
  INVALIDPARAMETER: 26,
  FUNCTIONNOTAVAILABLE: 27,
  COMMUNICATIONERROR: 29,
  NOTYETIMPLEMENTED: 30,
  NOTCONNECTED: 0x1002,
  LOGINFAILED: 0x1004,
  USERPASSFAILED: 0x1007,
} as const;

/** A refusal of the simulated mainframe: `code` is the wrapper result code the library returns. */
export class SimError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'SimError';
  }
}
