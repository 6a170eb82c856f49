import { isGsm7, toSeptets } from './gsm7';

/** How a route carries texts that do not fit in one message. */
export type LongMessageMode = 'udh8' | 'udh16' | 'payload';

export interface EncodeOptions {
  /** data_coding used for the GSM default alphabet on this route (0 = SMSC default, 1 = IA5). @defaultValue 0 */
  gsmDataCoding?: number;
  /** @defaultValue 'udh8' */
  longMessages?: LongMessageMode;
  /** Concatenation reference (0-255 for udh8, 0-65535 for udh16). */
  reference: number;
  /** Refuse rather than split: pagers never get concatenated messages. */
  singlePartOnly?: boolean;
}

/** What goes into submit_sm: one entry per PDU. */
export interface EncodedMessage {
  dataCoding: number;
  encoding: 'gsm7' | 'ucs2';
  /** short_message octets of each PDU (UDH included), or one payload for `message_payload`. */
  parts: Buffer[];
  /** True when the parts carry a UDH (esm_class 0x40). */
  udh: boolean;
  /** True when the single part goes in the `message_payload` TLV. */
  payload: boolean;
}

const UCS2 = 0x08;

/**
 * Encodes a text for SMPP: GSM 7-bit when every character allows it, UCS-2 otherwise; one
 * message up to 160 septets / 70 UCS-2 units, else parts of 153/67 (152/66 with a 16-bit
 * reference) that never split an escape sequence or a surrogate pair.
 */
export function encodeText(text: string, o: EncodeOptions): EncodedMessage {
  const gsm = isGsm7(text);
  const units: number[] = gsm ? toSeptets(text) : utf16Units(text);
  const single = gsm ? 160 : 70;
  const dataCoding = gsm ? (o.gsmDataCoding ?? 0) : UCS2;
  const encoding = gsm ? 'gsm7' : 'ucs2';
  const toBytes = (u: number[]) => (gsm ? Buffer.from(u) : ucs2Bytes(u));
  if (units.length <= single) {
    return { dataCoding, encoding, parts: [toBytes(units)], udh: false, payload: false };
  }
  if (o.singlePartOnly) {
    throw new Error(`text of ${units.length} ${gsm ? 'septets' : 'UCS-2 units'} does not fit in one message`);
  }
  const mode = o.longMessages ?? 'udh8';
  if (mode === 'payload') {
    return { dataCoding, encoding, parts: [toBytes(units)], udh: false, payload: true };
  }
  const perPart = gsm ? (mode === 'udh8' ? 153 : 152) : mode === 'udh8' ? 67 : 66;
  const chunks = split(units, perPart, gsm);
  if (chunks.length > 255) {
    throw new Error('text needs more than 255 parts');
  }
  const parts = chunks.map((chunk, i) => Buffer.concat([udhOf(mode, o.reference, chunks.length, i + 1), toBytes(chunk)]));
  return { dataCoding, encoding, parts, udh: true, payload: false };
}

/** Cuts units into parts of at most `size`, never between an escape and its code or inside a surrogate pair. */
function split(units: number[], size: number, gsm: boolean): number[][] {
  const out: number[][] = [];
  let start = 0;
  while (start < units.length) {
    let end = Math.min(start + size, units.length);
    if (end < units.length) {
      const last = units[end - 1] ?? 0;
      const cutsEscape = gsm && last === 0x1b && !isEscapeCode(units, end - 1);
      const cutsSurrogate = !gsm && last >= 0xd800 && last <= 0xdbff;
      if (cutsEscape || cutsSurrogate) {
        end -= 1;
      }
    }
    out.push(units.slice(start, end));
    start = end;
  }
  return out;
}

// An 0x1B septet is an escape unless it is itself the code after an escape (never in practice,
// but counting keeps the rule exact).
function isEscapeCode(units: number[], index: number): boolean {
  let escapes = 0;
  for (let i = index - 1; i >= 0 && units[i] === 0x1b; i--) {
    escapes += 1;
  }
  return escapes % 2 === 1;
}

function udhOf(mode: 'udh8' | 'udh16', reference: number, total: number, seq: number): Buffer {
  return mode === 'udh8'
    ? Buffer.from([0x05, 0x00, 0x03, reference & 0xff, total, seq])
    : Buffer.from([0x06, 0x08, 0x04, (reference >> 8) & 0xff, reference & 0xff, total, seq]);
}

function utf16Units(text: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    out.push(text.charCodeAt(i));
  }
  return out;
}

function ucs2Bytes(units: number[]): Buffer {
  const b = Buffer.alloc(units.length * 2);
  units.forEach((u, i) => b.writeUInt16BE(u, i * 2));
  return b;
}
