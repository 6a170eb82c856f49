export { ocra, parseOcraSuite } from './ocra';
export type { OcraHash, OcraInputs, OcraSuite, QuestionFormat } from './ocra';
export { isChallengeOnly, ocraChallenge } from './ocra-challenge';
export { hotp, matchTotp, totp, totpStep } from './hotp';
export type { OtpHash, TotpOptions } from './hotp';
export { base32, fromBase32 } from './base32';
