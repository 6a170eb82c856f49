import type { DeliveryState } from '@outband/contracts';

/** A delivery receipt (deliver_sm with esm_class 0x04) reduced to what we store. */
export interface Receipt {
  smscMessageId: string;
  state: Extract<DeliveryState, 'delivered' | 'failed' | 'expired'> | undefined;
  /** The SMSC's word for the state (DELIVRD, UNDELIV …) and its error code. */
  stat: string;
  error: string | undefined;
}

// message_state TLV (SMPP 3.4 §5.3.2.35).
const byMessageState: Record<number, string> = {
  1: 'ENROUTE',
  2: 'DELIVRD',
  3: 'EXPIRED',
  4: 'DELETED',
  5: 'UNDELIV',
  6: 'ACCEPTD',
  7: 'UNKNOWN',
  8: 'REJECTD',
};

const byStat: Record<string, Receipt['state']> = {
  DELIVRD: 'delivered',
  EXPIRED: 'expired',
  DELETED: 'failed',
  UNDELIV: 'failed',
  REJECTD: 'failed',
  UNKNOWN: 'failed',
};

/** True when the deliver_sm is a delivery receipt rather than a message from a handset. */
export function isReceipt(esmClass: number): boolean {
  return (esmClass & 0x3c) === 0x04;
}

/**
 * Reads a receipt from the TLVs when present (receipted_message_id, message_state), else from
 * the text form `id:… sub:… dlvrd:… submit date:… done date:… stat:DELIVRD err:…`.
 */
export function parseReceipt(tlvId: string | undefined, tlvState: number | undefined, text: string): Receipt | undefined {
  const idMatch = /\bid:\s*([0-9A-Za-z-]+)/i.exec(text);
  const statMatch = /\bstat:\s*([A-Za-z]+)/i.exec(text);
  const errMatch = /\berr:\s*([0-9A-Za-z]+)/i.exec(text);
  const smscMessageId = (tlvId?.replace(/\0+$/, '') || idMatch?.[1])?.trim();
  if (!smscMessageId) {
    return undefined;
  }
  const stat = (tlvState !== undefined ? byMessageState[tlvState] : undefined) ?? statMatch?.[1]?.toUpperCase() ?? 'UNKNOWN';
  const error = errMatch?.[1] && !/^0+$/.test(errMatch[1]) ? errMatch[1] : undefined;
  return { smscMessageId, state: byStat[stat], stat, error };
}
