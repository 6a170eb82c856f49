import { createHash, createHmac } from 'node:crypto';
import type { OtpHash } from './hotp';
import { truncate, uint64 } from './truncate';

/**
 * RFC 6287 (OCRA) one-time password computation. The suite string fixes which inputs enter the
 * HMAC (counter C, question Q, PIN hash P, session S, time step T); the same engine computes
 * login codes, mutual challenge-response and, through Q, signatures of transaction data.
 */

export type OcraHash = OtpHash;
export type QuestionFormat = 'N' | 'A' | 'H';

export interface OcraSuite {
  text: string;
  hash: OcraHash;
  /** 0 (no truncation: the whole HMAC, hex) or 4 to 10. */
  digits: number;
  counter: boolean;
  question: { format: QuestionFormat; maxLength: number };
  pinHash: OcraHash | undefined;
  sessionLength: number | undefined;
  timeStepSeconds: number | undefined;
}

export interface OcraInputs {
  counter?: bigint;
  /** One challenge, at most the suite's `xx` characters. */
  question?: string;
  /**
   * Mutual challenge-response (RFC 6287 §7.3): the two challenges, each at most `xx` characters,
   * in the order the computing side puts them (the server: client's then its own).
   */
  challenges?: readonly [string, string];
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
// DataInput = [C] | QFxx | [PH | Snnn | TG], in this order (RFC 6287 §6.3).
const dataInputOrder = ['C', 'Q', 'P', 'S', 'T'] as const;

/** Parses and checks a suite such as `OCRA-1:HOTP-SHA256-6:QH64-S064-T1M` (RFC 6287 §6). */
export function parseOcraSuite(text: string): OcraSuite {
  const parts = text.split(':');
  const [algorithm, crypto, dataInput] = parts;
  if (parts.length !== 3 || algorithm !== 'OCRA-1' || !crypto || !dataInput) {
    throw new Error(`invalid OCRA suite "${text}": expected OCRA-1:HOTP-<hash>-<digits>:<data input>`);
  }
  const cm = /^HOTP-(SHA1|SHA256|SHA512)-(\d{1,2})$/.exec(crypto);
  if (!cm?.[1] || !cm[2]) {
    throw new Error(`invalid OCRA crypto function "${crypto}": expected HOTP-SHA1|SHA256|SHA512-<digits>`);
  }
  const digits = Number(cm[2]);
  if (digits !== 0 && (digits < 4 || digits > 10)) {
    throw new Error('OCRA digits must be 0 (no truncation) or 4 to 10');
  }
  let question: OcraSuite['question'] | undefined;
  const suite: Omit<OcraSuite, 'question'> = {
    text,
    hash: cm[1].toLowerCase() as OcraHash,
    digits,
    counter: false,
    pinHash: undefined,
    sessionLength: undefined,
    timeStepSeconds: undefined,
  };
  let last = -1;
  for (const item of dataInput.split('-')) {
    const position = dataInputOrder.indexOf(item[0] as (typeof dataInputOrder)[number]);
    if (position <= last) {
      throw new Error(`invalid OCRA data input "${dataInput}": C, Q, P, S and T appear at most once, in this order`);
    }
    last = position;
    let m: RegExpExecArray | null;
    if (item === 'C') {
      suite.counter = true;
    } else if ((m = /^Q([NAH])(\d{2})$/.exec(item)) && m[1] && m[2]) {
      const maxLength = Number(m[2]);
      if (maxLength < 4 || maxLength > 64) {
        throw new Error(`invalid OCRA question "${item}": its length must be 04 to 64`);
      }
      question = { format: m[1] as QuestionFormat, maxLength };
    } else if ((m = /^P(SHA1|SHA256|SHA512)$/.exec(item)) && m[1]) {
      suite.pinHash = m[1].toLowerCase() as OcraHash;
    } else if ((m = /^S(\d{3})$/.exec(item)) && m[1]) {
      const length = Number(m[1]);
      if (length < 1 || length > 512) {
        throw new Error(`invalid OCRA session "${item}": its length must be 001 to 512 bytes (S064, S128, S256, S512 are usual)`);
      }
      suite.sessionLength = length;
    } else if ((m = /^T(\d{1,2})([SMH])$/.exec(item)) && m[1] && m[2]) {
      suite.timeStepSeconds = timeStep(Number(m[1]), m[2]);
    } else {
      throw new Error(`invalid OCRA data input "${item}": expected C, Q[N|A|H]xx, P<hash>, Snnn or T<steps><S|M|H>`);
    }
  }
  if (!question) {
    throw new Error('an OCRA suite needs a question (Q) input');
  }
  return { ...suite, question };
}

function timeStep(n: number, unit: string): number {
  // The grammar allows 1-59 seconds, 1-59 minutes and 0-48 hours; a zero step would divide by zero.
  const limits: Record<string, [number, number, number]> = { S: [1, 59, 1], M: [1, 59, 60], H: [1, 48, 3600] };
  const [min, max, seconds] = limits[unit] ?? [1, 0, 0];
  if (n < min || n > max) {
    throw new Error(`invalid OCRA time step T${n}${unit}: 1-59S, 1-59M or 1-48H`);
  }
  return n * seconds;
}

/** Computes the OCRA value for a suite, a key and the inputs the suite names. */
export function ocra(suite: OcraSuite, key: Buffer, inputs: OcraInputs): string {
  const blocks: Buffer[] = [Buffer.from(suite.text, 'ascii'), Buffer.from([0])];
  if (suite.counter) {
    blocks.push(uint64(inputs.counter ?? required('counter')));
  }
  blocks.push(questionBlock(suite, questionOf(suite, inputs)));
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

function questionOf(suite: OcraSuite, inputs: OcraInputs): string {
  const challenges = inputs.challenges ?? [inputs.question ?? required('question')];
  for (const c of challenges) {
    checkChallenge(suite.question, c);
  }
  return challenges.join('');
}

function checkChallenge(q: OcraSuite['question'], challenge: string): void {
  if (challenge.length < 4 || challenge.length > q.maxLength) {
    throw new Error(`an OCRA challenge must have 4 to ${q.maxLength} characters`);
  }
  const pattern = { N: /^\d+$/, H: /^[0-9a-fA-F]+$/, A: /^[\x21-\x7e]+$/ }[q.format];
  if (!pattern.test(challenge)) {
    const what = { N: 'digits', H: 'hex digits', A: 'printable ASCII characters' }[q.format];
    throw new Error(`an OCRA challenge of format ${q.format} must be ${what}`);
  }
}

function questionBlock(suite: OcraSuite, question: string): Buffer {
  const format = suite.question.format;
  const hex = format === 'N' ? BigInt(question).toString(16) : format === 'H' ? question : Buffer.from(question, 'ascii').toString('hex');
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

function required(name: string): never {
  throw new Error(`OCRA input "${name}" is required by the suite`);
}
