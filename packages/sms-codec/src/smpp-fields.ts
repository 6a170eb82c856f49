import { concatFromIes, type ConcatInfo } from './decode';

/**
 * The text of a submit_sm or deliver_sm as the `smpp` package decoded it (by data_coding, UDH
 * split off when esm_class has 0x40): `message_payload` when it holds something, else
 * `short_message`; with the concatenation element when the text is one part of several.
 */
export function textOfSmppFields(shortMessage: unknown, payload: unknown): { text: string; concat: ConcatInfo | undefined } {
  const field = payload && !(Buffer.isBuffer(payload) && payload.length === 0) ? payload : shortMessage;
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
