export { AppError, isAppError } from './app-error';
export type { AppErrorOptions, ErrorKind, FieldError, SerializedError } from './app-error';
export { httpStatusOf } from './http-status';
export { errorCodes } from './error-codes';
export type { ErrorCode, ErrorCodeInfo, ErrorSurface } from './error-codes';
