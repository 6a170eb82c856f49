export { AppError, isAppError } from './app-error';
export type { AppErrorOptions, ErrorKind, FieldError, SerializedError } from './app-error';
export { httpStatusOf } from './http-status';
