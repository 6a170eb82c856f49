import { createHash, createHmac } from 'node:crypto';

/**
 * RFC 6287 (OCRA) one-time password computation. The suite string fixes which inputs enter the
 * HMAC (counter C, question Q, PIN hash P, session S, time step T); the same engine computes
 * login codes and, through Q, codes bound to transaction data.
 */

export type OcraHash = 'sha1' | 'sha256' | 'sha512';

export interface OcraSuite {
  text: string;
  hash: OcraHash;
  digits: number;
  counter: boolean;
  question: { format: 'N' | 'A' | 'H'; maxLength: number } | undefined;
  pinHash: OcraHash | undefined;
  sessionLength: number | undefined;
  timeStepSeconds: number | undefined;
}

export interface OcraInputs {
  counter?: bigint;
  question?: string;
  /** The PIN itself; it is hashed as the suite says. */
  pin?: string;
  /** Hash of the PIN, hex, when the PIN itself is not known. */
  pinHashHex?: string;
  session?: Buffer;
  /** Seconds since the epoch; divided by the suite's time step. */
  timeSeconds?: number;
  /** Time-step count, hex, when given directly (the RFC's test vectors do). */
  timeStepsHex?: string;
}

const hashSizes: Record<OcraHash, number> = { sha1: 20, sha256: 32, sha512: 64 };

/** Parses and checks a suite such as `OCRA-1:HOTP-SHA256-6:QH64-S064-T1M`. */
export function parseOcraSuite(text: string): OcraSuite {
  const parts = text.split(':');
  const [algorithm, crypto, dataInput] = parts;
  if (parts.length !== 3 || algorithm !== 'OCRA-1' || !crypto || !dataInput) {
    throw new Error(`invalid OCRA suite "${text}": expected OCRA-1:HOTP-<hash>-<digits>:<data input>`);
  }
  const cm = /^HOTP-(SHA1|SHA256|SHA512)-(\d{1,2})$/.exec(crypto);
  if (!cm?.[1] || !cm[2]) {
    throw new Error(`invalid OCRA crypto function "${crypto}"`);
  }
  const digits = Number(cm[2]);
  if (digits < 4 || digits > 10) {
    throw new Error('OCRA digits must be 4 to 10');
  }
  const suite: OcraSuite = {
    text,
    hash: cm[1].toLowerCase() as OcraHash,
    digits,
    counter: false,
    question: undefined,
    pinHash: undefined,
    sessionLength: undefined,
    timeStepSeconds: undefined,
  };
  for (const item of dataInput.split('-')) {
    let m: RegExpExecArray | null;
    if (item === 'C') {
      suite.counter = true;
    } else if ((m = /^Q([NAH])(\d{2})$/.exec(item)) && m[1] && m[2]) {
      const maxLength = Number(m[2]);
      if (maxLength < 4 || maxLength > 64) {
        throw new Error('OCRA question length must be 04 to 64');
      }
      suite.question = { format: m[1] as 'N' | 'A' | 'H', maxLength };
    } else if ((m = /^P(SHA1|SHA256|SHA512)$/.exec(item)) && m[1]) {
      suite.pinHash = m[1].toLowerCase() as OcraHash;
    } else if ((m = /^S(\d{3})$/.exec(item)) && m[1]) {
      suite.sessionLength = Number(m[1]);
    } else if ((m = /^T(\d{1,2})([SMH])$/.exec(item)) && m[1] && m[2]) {
      suite.timeStepSeconds = timeStep(Number(m[1]), m[2]);
    } else {
      throw new Error(`invalid OCRA data input "${item}"`);
    }
  }
  if (!suite.question) {
    throw new Error('an OCRA suite needs a question (Q) input');
  }
  return suite;
}

function timeStep(n: number, unit: string): number {
  const limits: Record<string, [number, number, number]> = { S: [1, 59, 1], M: [1, 59, 60], H: [0, 48, 3600] };
  const [min, max, seconds] = limits[unit] ?? [1, 0, 0];
  if (n < min || n > max) {
    throw new Error(`invalid OCRA time step T${n}${unit}`);
  }
  return n * seconds;
}

/** Computes the OCRA value for a suite, a key and the inputs the suite names. */
export function ocra(suite: OcraSuite, key: Buffer, inputs: OcraInputs): string {
  const blocks: Buffer[] = [Buffer.from(suite.text, 'ascii'), Buffer.from([0])];
  if (suite.counter) {
    blocks.push(uint64(inputs.counter ?? required('counter')));
  }
  blocks.push(questionBlock(suite, inputs.question ?? required('question')));
  if (suite.pinHash) {
    blocks.push(pinBlock(suite.pinHash, inputs));
  }
  if (suite.sessionLength !== undefined) {
    blocks.push(leftPad(inputs.session ?? required('session'), suite.sessionLength, 'session'));
  }
  if (suite.timeStepSeconds !== undefined) {
    const steps =
      inputs.timeStepsHex !== undefined
        ? BigInt(`0x${inputs.timeStepsHex}`)
        : BigInt(Math.floor((inputs.timeSeconds ?? required('time')) / suite.timeStepSeconds));
    blocks.push(uint64(steps));
  }
  const mac = createHmac(suite.hash, key).update(Buffer.concat(blocks)).digest();
  return truncate(mac, suite.digits);
}

function questionBlock(suite: OcraSuite, question: string): Buffer {
  const q = suite.question;
  if (!q || question.length < 4 || question.length > q.maxLength) {
    throw new Error(`OCRA question must have 4 to ${q?.maxLength ?? 0} characters`);
  }
  let hex: string;
  if (q.format === 'N') {
    if (!/^\d+$/.test(question)) {
      throw new Error('numeric OCRA question must be digits');
    }
    hex = BigInt(question).toString(16);
  } else if (q.format === 'H') {
    if (!/^[0-9a-fA-F]+$/.test(question)) {
      throw new Error('hex OCRA question must be hex digits');
    }
    hex = question;
  } else {
    hex = Buffer.from(question, 'ascii').toString('hex');
  }
  // The question is left-aligned and padded with zeros to 128 bytes (RFC 6287 §5.1).
  return Buffer.from(hex.padEnd(256, '0'), 'hex');
}

function pinBlock(hash: OcraHash, inputs: OcraInputs): Buffer {
  const hex = inputs.pinHashHex ?? (inputs.pin !== undefined ? createHash(hash).update(inputs.pin).digest('hex') : required('pin'));
  return leftPad(Buffer.from(hex, 'hex'), hashSizes[hash], 'PIN hash');
}

function leftPad(value: Buffer, length: number, what: string): Buffer {
  if (value.length > length) {
    throw new Error(`OCRA ${what} is longer than ${length} bytes`);
  }
  return Buffer.concat([Buffer.alloc(length - value.length), value]);
}

function uint64(value: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(value);
  return b;
}

// Dynamic truncation as in HOTP (RFC 4226 §5.3).
function truncate(mac: Buffer, digits: number): string {
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return (binary % 10 ** digits).toString().padStart(digits, '0');
}

function required(name: string): never {
  throw new Error(`OCRA input "${name}" is required by the suite`);
}
