import type { z } from 'zod';
import { AppError } from '@outband/errors';

/** Validates a request part against a schema; failures list every bad field. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, where = 'body'): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) {
    return result.data;
  }
  const fieldErrors = result.error.issues.map((i) => ({ field: i.path.join('.') || where, message: i.message }));
  throw new AppError(
    'invalid_input',
    stableCodeOf(result.error.issues) ?? 'INVALID_INPUT',
    `the ${where} is invalid: ${fieldErrors.map((f) => `${f.field}: ${f.message}`).join('; ')}`,
    {
      fieldErrors,
    },
  );
}

/** A schema may name its own code for a refusal a client should tell apart (e.g. `UNSAFE_TEXT`). */
function stableCodeOf(issues: z.core.$ZodIssue[]): string | undefined {
  for (const issue of issues) {
    const code: unknown = issue.code === 'custom' ? issue.params?.code : undefined;
    if (typeof code === 'string') {
      return code;
    }
  }
  return undefined;
}
