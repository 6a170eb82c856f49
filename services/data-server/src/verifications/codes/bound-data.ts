import { AppError } from '@outband/errors';
import type { CertifiedMessage, Purpose, TransactionData } from '@outband/contracts';

/** What a code is bound to besides the merchant, subscriber and verification (dynamic linking). */
export interface BoundData {
  transaction?: TransactionData | undefined;
  message?: CertifiedMessage | undefined;
}

const needs: Record<Purpose, keyof BoundData | undefined> = { login: undefined, transaction: 'transaction', message: 'message' };

/**
 * The data a purpose binds: `transaction` needs its transaction, `message` its certified text,
 * a login neither. Anything else is refused, at start and at check alike.
 */
export function boundDataFor(purpose: Purpose, data: BoundData): BoundData {
  const wanted = needs[purpose];
  for (const field of ['transaction', 'message'] as const) {
    if (field === wanted && !data[field]) {
      throw new AppError(
        'invalid_input',
        `${field.toUpperCase()}_REQUIRED`,
        `purpose "${purpose}" needs "${field}", at start and at check`,
        {
          fieldErrors: [{ field, message: `required for purpose "${purpose}"` }],
        },
      );
    }
    if (field !== wanted && data[field]) {
      throw new AppError('invalid_input', 'INVALID_INPUT', `"${field}" is only for purpose "${field}"`, {
        fieldErrors: [{ field, message: `only for purpose "${field}"` }],
      });
    }
  }
  return wanted ? { [wanted]: data[wanted] } : {};
}
