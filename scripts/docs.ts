import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findEnvSchemas, renderConfigDocs, undocumentedVariables } from './config-docs';
import { renderErrorDocs } from './error-docs';
import { formatMarkdown } from './markdown';

/** The generated reference files, by path from the repository root. */
export function generatedDocs(root: string): Record<string, string> {
  const schemas = findEnvSchemas(root);
  const missing = undocumentedVariables(schemas);
  if (missing.length > 0) {
    throw new Error(`undocumented variables (add a /** … */ comment to each key):\n${missing.join('\n')}`);
  }
  return {
    'docs/configuration.md': formatMarkdown(root, 'docs/configuration.md', renderConfigDocs(schemas)),
    'docs/errors.md': formatMarkdown(root, 'docs/errors.md', renderErrorDocs()),
  };
}

// `pnpm gen-docs`, from the repository root.
if (require.main === module) {
  const root = process.cwd();
  for (const [file, text] of Object.entries(generatedDocs(root))) {
    writeFileSync(join(root, file), text);
    console.log(`wrote ${file}`);
  }
}
