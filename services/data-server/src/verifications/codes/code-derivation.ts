import { createHash, createHmac } from 'node:crypto';
import type { KeyEntry } from '@outband/config';
import type { CertifiedMessage, TransactionData } from '@outband/contracts';
import { ocra, parseOcraSuite, type OcraSuite } from '@outband/otp';

/** What a code is bound to; any change gives another binding hash and another code. */
export interface CodeBinding {
  merchantId: string;
  /** The invariant of the patent's op. 202: the subscriber identifier. */
  identifier: string;
  purpose: string;
  verificationId: string;
  /** For purpose `transaction`: amount, currency, payee, items, accounts (dynamic linking). */
  transaction?: TransactionData | undefined;
  /** For purpose `message`: the order or declaration certified. */
  message?: CertifiedMessage | undefined;
}

/**
 * A canonical, order-fixed encoding of the binding, hashed (hex SHA-256, 64 digits). It is the
 * OCRA question, so the code itself depends on every bound datum.
 */
export function bindingHash(b: CodeBinding): string {
  const t = b.transaction;
  const tx = t
    ? [
        t.amount,
        t.currency,
        t.payee,
        (t.items ?? []).map((i) => [i.name, i.quantity]),
        t.accounts ? [t.accounts.from, t.accounts.to] : null,
      ]
    : null;
  // A certified message enters only when present, so login and transaction hashes stay as they were.
  const parts: unknown[] = [b.merchantId, b.identifier, b.purpose, b.verificationId, tx];
  if (b.message) {
    parts.push([contentDigest(b.message.text), b.message.reference ?? null]);
  }
  const canonical = JSON.stringify(parts);
  return createHash('sha256').update(canonical).digest('hex');
}

/** The SHA-256 (hex) of a certified text, as the certificate record keeps it. */
export function contentDigest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The confidential information of op. 202: a keyed one-way function (OCRA) of the invariant
 * (inside the binding hash, the question Q), the variable (verification id and a random
 * per-session nonce, the session input S) and the time marker (T).
 */
export function deriveCode(suite: OcraSuite, key: KeyEntry, binding: string, verificationId: string, nonce: Buffer, now: Date): string {
  const session = Buffer.concat([Buffer.from(verificationId.replace(/^ve_/, ''), 'hex'), nonce]);
  return ocra(suite, key.key, {
    question: binding.slice(0, suite.question.maxLength),
    session,
    timeSeconds: Math.floor(now.getTime() / 1000),
  });
}

/** The suite with codes of `digits` digits (a Twilio service's code length); the suite itself without. */
export function withDigits(suite: OcraSuite, digits: number | null | undefined): OcraSuite {
  if (!digits || digits === suite.digits) {
    return suite;
  }
  return parseOcraSuite(suite.text.replace(/^(OCRA-1:HOTP-SHA\d+-)\d+/, `$1${digits}`));
}

/** The keyed MAC kept in Redis instead of the code, bound to the verification id. */
export function macOfCode(key: KeyEntry, verificationId: string, code: string): string {
  return createHmac('sha256', key.key).update(`${verificationId}:${code}`).digest('hex');
}

/** What finds a reverse-channel code's verification: a keyed hash of the code alone. */
export function reverseLookupOf(key: KeyEntry, code: string): string {
  return createHmac('sha256', key.key).update(`reverse:${code}`).digest('hex');
}
