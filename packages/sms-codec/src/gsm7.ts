/**
 * GSM 03.38 default alphabet and its extension table. SMPP carries it unpacked (one octet per
 * septet); an extension character is the escape 0x1B followed by its code, so it costs two.
 */
const basic =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

const extension: Record<string, number> = {
  '\f': 0x0a,
  '^': 0x14,
  '{': 0x28,
  '}': 0x29,
  '\\': 0x2f,
  '[': 0x3c,
  '~': 0x3d,
  ']': 0x3e,
  '|': 0x40,
  '€': 0x65,
};

const basicCode = new Map<string, number>();
for (let i = 0; i < basic.length; i++) {
  const ch = basic[i];
  if (ch !== undefined && i !== 0x1b) {
    basicCode.set(ch, i);
  }
}
const extensionChar = new Map<number, string>(Object.entries(extension).map(([ch, code]) => [code, ch]));

/** Whether every character of the text exists in the GSM default alphabet or its extension. */
export function isGsm7(text: string): boolean {
  for (const ch of text) {
    if (!basicCode.has(ch) && extension[ch] === undefined) {
      return false;
    }
  }
  return true;
}

/** The septets of a GSM text, one per array element (an extension character gives two). */
export function toSeptets(text: string): number[] {
  const out: number[] = [];
  for (const ch of text) {
    const code = basicCode.get(ch);
    if (code !== undefined) {
      out.push(code);
    } else {
      const ext = extension[ch];
      if (ext === undefined) {
        throw new Error(`character U+${ch.codePointAt(0)?.toString(16)} is not in the GSM alphabet`);
      }
      out.push(0x1b, ext);
    }
  }
  return out;
}

/** Decodes unpacked septets back to text (unknown extension codes read as a space, per 03.38). */
export function fromSeptets(septets: ArrayLike<number>): string {
  let text = '';
  for (let i = 0; i < septets.length; i++) {
    const s = septets[i] ?? 0;
    if (s === 0x1b) {
      i += 1;
      text += extensionChar.get(septets[i] ?? 0) ?? ' ';
    } else {
      text += basic[s & 0x7f] ?? ' ';
    }
  }
  return text;
}

/** How many septets a GSM text costs. */
export function septetLength(text: string): number {
  let n = 0;
  for (const ch of text) {
    n += extension[ch] !== undefined ? 2 : 1;
  }
  return n;
}

/**
 * A text that a simple receiver (an alphanumeric pager) shows as is: characters of the GSM basic
 * set are kept, accented letters lose their accent when that makes them GSM, others become '?'.
 */
export function toPlainGsm(text: string): string {
  let out = '';
  for (const ch of text) {
    if (basicCode.has(ch)) {
      out += ch;
      continue;
    }
    if (/\s/u.test(ch)) {
      out += ' '; // no-break and narrow spaces (amounts) become plain spaces
      continue;
    }
    const stripped = ch.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
    out += stripped.length === 1 && basicCode.has(stripped) ? stripped : '?';
  }
  return out;
}
