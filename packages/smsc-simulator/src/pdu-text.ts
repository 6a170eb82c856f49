import type { PDU } from 'smpp';
import { concatFromIes, type ConcatInfo } from '@outband/sms-codec';

/** The text of a submit_sm as the `smpp` package decoded it, and its concatenation element. */
export function textOf(pdu: PDU): { text: string; concat: ConcatInfo | undefined } {
  const payload = pdu.message_payload;
  const field: unknown = payload && !(Buffer.isBuffer(payload) && payload.length === 0) ? payload : pdu.short_message;
  if (typeof field === 'string') {
    return { text: field, concat: undefined };
  }
  if (field && typeof field === 'object' && !Buffer.isBuffer(field)) {
    const { message, udh } = field as { message?: unknown; udh?: unknown };
    const text = typeof message === 'string' ? message : Buffer.isBuffer(message) ? message.toString('latin1') : '';
    const concat = Array.isArray(udh) ? concatFromIes(udh.filter((b): b is Buffer => Buffer.isBuffer(b))) : undefined;
    return { text, concat };
  }
  return { text: Buffer.isBuffer(field) ? field.toString('latin1') : '', concat: undefined };
}
