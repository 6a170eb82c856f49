import type { PDU } from 'smpp';
import { concatFromIes, type ConcatInfo } from '@outband/sms-codec';

/**
 * The text of a deliver_sm as the `smpp` package decoded it (by data_coding; UDH split off when
 * esm_class 0x40), with the concatenation element when the message is one part of several.
 */
export function textOfPdu(pdu: PDU): { text: string; concat: ConcatInfo | undefined } {
  const field = pdu.message_payload ?? pdu.short_message;
  if (typeof field === 'string') {
    return { text: field, concat: undefined };
  }
  if (Buffer.isBuffer(field)) {
    return { text: field.toString('latin1'), concat: undefined };
  }
  if (field && typeof field === 'object') {
    const { message, udh } = field as { message?: unknown; udh?: unknown };
    const text = typeof message === 'string' ? message : Buffer.isBuffer(message) ? message.toString('latin1') : '';
    const concat = Array.isArray(udh) ? concatFromIes(udh.filter((b): b is Buffer => Buffer.isBuffer(b))) : undefined;
    return { text, concat };
  }
  return { text: '', concat: undefined };
}
