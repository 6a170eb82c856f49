/** SMPP 3.4 command_status values Outband acts on. */
export const smppStatus = {
  ROK: 0x00,
  RINVMSGLEN: 0x01,
  RSYSERR: 0x08,
  RINVSRCADR: 0x0a,
  RINVDSTADR: 0x0b,
  RBINDFAIL: 0x0d,
  RINVPASWD: 0x0e,
  RINVSYSID: 0x0f,
  RMSGQFUL: 0x14,
  RSUBMITFAIL: 0x45,
  RTHROTTLED: 0x58,
  RUNKNOWNERR: 0xff,
} as const;

// Statuses where sending the same message again cannot succeed.
const permanent = new Set<number>([smppStatus.RINVMSGLEN, smppStatus.RINVSRCADR, smppStatus.RINVDSTADR]);

/** Whether a submit refused with this status may succeed if retried later. */
export function isTransientStatus(status: number): boolean {
  return !permanent.has(status);
}

/** `0x0000000b` style, as SMSC logs and vendor docs write it. */
export function formatStatus(status: number): string {
  return `0x${status.toString(16).padStart(8, '0')}`;
}
