import { fromSeptets } from './gsm7';

/** Where a part sits in a concatenated message. */
export interface ConcatInfo {
  reference: number;
  total: number;
  sequence: number;
}

export interface DecodedPart {
  text: string;
  concat: ConcatInfo | undefined;
}

/**
 * Decodes the short_message octets of one PDU: the UDH when `hasUdh` (esm_class 0x40), then the
 * text by data_coding — UCS-2 (8), Latin-1 (3), else the GSM default alphabet.
 */
export function decodeShortMessage(octets: Buffer, dataCoding: number, hasUdh: boolean): DecodedPart {
  let body = octets;
  let concat: ConcatInfo | undefined;
  if (hasUdh && octets.length > 0) {
    const udhLength = octets[0] ?? 0;
    concat = concatOf(octets.subarray(1, 1 + udhLength));
    body = octets.subarray(1 + udhLength);
  }
  const coding = dataCoding & 0x0f;
  let text: string;
  if (coding === 0x08) {
    text = Buffer.from(body).swap16().toString('utf16le');
  } else if (coding === 0x03) {
    text = body.toString('latin1');
  } else if (coding === 0x01) {
    text = body.toString('ascii');
  } else {
    text = fromSeptets(body);
  }
  return { text, concat };
}

function concatOf(udh: Buffer): ConcatInfo | undefined {
  const ies: Buffer[] = [];
  let i = 0;
  while (i + 1 < udh.length) {
    const len = udh[i + 1] ?? 0;
    ies.push(udh.subarray(i, i + 2 + len));
    i += 2 + len;
  }
  return concatFromIes(ies);
}

/** The concatenation element among UDH information elements (each `iei, length, data…`). */
export function concatFromIes(ies: readonly Buffer[]): ConcatInfo | undefined {
  for (const ie of ies) {
    const [iei, len] = [ie[0], ie[1]];
    if (iei === 0x00 && len === 3) {
      return { reference: ie[2] ?? 0, total: ie[3] ?? 0, sequence: ie[4] ?? 0 };
    }
    if (iei === 0x08 && len === 4) {
      return { reference: ((ie[2] ?? 0) << 8) | (ie[3] ?? 0), total: ie[4] ?? 0, sequence: ie[5] ?? 0 };
    }
  }
  return undefined;
}
