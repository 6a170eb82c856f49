import { AppError } from '@outband/errors';
import { boundDataFor } from './bound-data';

const tx = { amount: 100, currency: 'EUR', payee: 'Shop' };
const msg = { text: 'I agree' };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e instanceof AppError ? e.code : 'not an AppError';
  }
}

describe('boundDataFor', () => {
  it('keeps exactly the data the purpose binds', () => {
    expect(boundDataFor('login', {})).toEqual({});
    expect(boundDataFor('transaction', { transaction: tx })).toEqual({ transaction: tx });
    expect(boundDataFor('message', { message: msg })).toEqual({ message: msg });
  });

  it('asks for missing data and refuses data of another purpose', () => {
    expect(codeOf(() => boundDataFor('transaction', {}))).toBe('TRANSACTION_REQUIRED');
    expect(codeOf(() => boundDataFor('message', {}))).toBe('MESSAGE_REQUIRED');
    expect(codeOf(() => boundDataFor('login', { transaction: tx }))).toBe('INVALID_INPUT');
    expect(codeOf(() => boundDataFor('transaction', { transaction: tx, message: msg }))).toBe('INVALID_INPUT');
  });
});
