export { fromSeptets, isGsm7, septetLength, toSeptets } from './gsm7';
export { encodeText } from './segment';
export type { EncodedMessage, EncodeOptions, LongMessageMode } from './segment';
export { decodeShortMessage } from './decode';
export type { ConcatInfo, DecodedPart } from './decode';
export { Reassembler } from './reassembler';
