import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AppError } from '@outband/errors';

/**
 * Parses the environment once into a typed object. On failure it throws one error that lists
 * every bad key, so an operator fixes the whole file in one pass.
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  // Only the schema's own variables: the environment holds others' `*_FILE` too (TF_CLI_CONFIG_FILE …).
  const known = schema instanceof z.ZodObject ? new Set(Object.keys(schema.shape)) : new Set<string>();
  const { values, problems: fileProblems } = withFiles(env, known);
  const result = schema.safeParse(values);
  if (result.success && fileProblems.length === 0) {
    return result.data;
  }
  const problems = [
    ...fileProblems,
    ...(result.success ? [] : result.error.issues).map((issue) => ({
      field: issue.path.join('.') || '(root)',
      message: issue.message,
    })),
  ];
  const list = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
  throw new AppError('invalid_input', 'CONFIG_INVALID', `invalid configuration: ${list}`, {
    fieldErrors: problems,
  });
}

/**
 * `NAME_FILE=/path` sets `NAME` from that file (Docker and Kubernetes secrets), so keys need not
 * sit in the environment; one trailing newline is dropped. Setting both is refused.
 */
function withFiles(
  env: NodeJS.ProcessEnv,
  known: ReadonlySet<string>,
): { values: NodeJS.ProcessEnv; problems: Array<{ field: string; message: string }> } {
  const values: NodeJS.ProcessEnv = { ...env };
  const problems: Array<{ field: string; message: string }> = [];
  for (const [key, path] of Object.entries(env)) {
    const name = /^(.+)_FILE$/.exec(key)?.[1];
    if (!name || !known.has(name) || path === undefined) {
      continue;
    }
    if (env[name] !== undefined) {
      problems.push({ field: key, message: `set either ${name} or ${key}, not both` });
      continue;
    }
    try {
      values[name] = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    } catch (e) {
      problems.push({ field: key, message: `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}` });
    }
  }
  return { values, problems };
}
