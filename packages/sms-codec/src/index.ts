export { fromSeptets, isGsm7, septetLength, toPlainGsm, toSeptets } from './gsm7';
export { encodeText } from './segment';
export type { EncodedMessage, EncodeOptions, LongMessageMode } from './segment';
export { concatFromIes, decodeShortMessage } from './decode';
export type { ConcatInfo, DecodedPart } from './decode';
export { Reassembler } from './reassembler';
export { textOfSmppFields } from './smpp-fields';
