import { z } from 'zod';
import { AppError } from '@outband/errors';

/**
 * Parses the environment once into a typed object. On failure it throws one error that lists
 * every bad key, so an operator fixes the whole file in one pass.
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) {
    return result.data;
  }
  const problems = result.error.issues.map((issue) => ({
    field: issue.path.join('.') || '(root)',
    message: issue.message,
  }));
  const list = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
  throw new AppError('invalid_input', 'CONFIG_INVALID', `invalid configuration: ${list}`, {
    fieldErrors: problems,
  });
}
