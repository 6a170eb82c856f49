import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { sourceFiles } from './source-files';

// Reads an environment schema (a `z.object({ … })` of upper-case keys) from the source text with
// the TypeScript parser: each key's doc comment, default and accepted values, spreads followed.

/** One environment variable of one program, as its zod schema declares it. */
export interface EnvVariable {
  name: string;
  /** The `/** … *\/` comment on the key, or on the spread or group it comes from; '' when none. */
  description: string;
  /** `**required**`, `none` (optional), or the default as written. */
  defaultValue: string;
  /** What values are accepted, read from the schema (`1–600`, `classic`, `quorum` …); '' when it says nothing. */
  accepts: string;
}

const parsed = new Map<string, ts.SourceFile>();
export function parse(root: string, file: string): ts.SourceFile {
  const key = join(root, file);
  let source = parsed.get(key);
  if (!source) {
    source = ts.createSourceFile(file, readFileSync(key, 'utf8'), ts.ScriptTarget.Latest, true);
    parsed.set(key, source);
  }
  return source;
}

/** The object literal of `z.object({ … })`, also under `.transform(…)`, `.superRefine(…)` and the like. */
export function zodObjectLiteral(e: ts.Expression): ts.ObjectLiteralExpression | undefined {
  if (!ts.isCallExpression(e) || !ts.isPropertyAccessExpression(e.expression)) {
    return undefined;
  }
  const callee = e.expression;
  if (callee.name.text === 'object' && ts.isIdentifier(callee.expression) && callee.expression.text === 'z') {
    const arg = e.arguments[0];
    return arg && ts.isObjectLiteralExpression(arg) ? arg : undefined;
  }
  return undefined;
}

const envName = /^[A-Z][A-Z0-9_]*$/;

export function isEnvShape(object: ts.ObjectLiteralExpression): boolean {
  const named = object.properties.filter((p) => !ts.isSpreadAssignment(p));
  return (
    object.properties.length > 0 &&
    named.every((p) => p.name !== undefined && envName.test(p.name.getText())) &&
    (named.length > 0 || object.properties.some((p) => ts.isSpreadAssignment(p)))
  );
}

/** The variables of an object literal, spreads (`...busEnv`, `...opsEnv(9101)`) expanded. */
export function variablesOf(
  root: string,
  file: string,
  object: ts.ObjectLiteralExpression,
  bound: Map<string, ts.Expression>,
): EnvVariable[] {
  const out: EnvVariable[] = [];
  for (const p of object.properties) {
    if (ts.isSpreadAssignment(p)) {
      const spreadDoc = docOf(p);
      for (const v of spreadVariables(root, file, p.expression)) {
        out.push(v.description === '' ? { ...v, description: spreadDoc } : v);
      }
    } else if (ts.isPropertyAssignment(p)) {
      // A key given again overrides the spread one, as in the object itself: it takes its place.
      const v = variableOf(p, bound);
      const earlier = out.findIndex((o) => o.name === v.name);
      if (earlier >= 0) {
        out[earlier] = v;
      } else {
        out.push(v);
      }
    }
  }
  return out;
}

function spreadVariables(root: string, file: string, e: ts.Expression): EnvVariable[] {
  if (ts.isIdentifier(e)) {
    const found = findDeclaration(root, file, e.text);
    const init = found && ts.isVariableDeclaration(found.node) ? found.node.initializer : undefined;
    if (found && init && ts.isObjectLiteralExpression(init)) {
      return variablesOf(root, found.file, init, new Map());
    }
  }
  if (ts.isCallExpression(e) && ts.isIdentifier(e.expression)) {
    const found = findDeclaration(root, file, e.expression.text);
    if (found && ts.isFunctionDeclaration(found.node) && found.node.body) {
      const ret = found.node.body.statements.find(ts.isReturnStatement);
      const bound = new Map<string, ts.Expression>();
      found.node.parameters.forEach((param, i) => {
        const arg = e.arguments[i];
        if (ts.isIdentifier(param.name) && arg) {
          bound.set(param.name.text, arg);
        }
      });
      if (ret?.expression && ts.isObjectLiteralExpression(ret.expression)) {
        return variablesOf(root, found.file, ret.expression, bound);
      }
    }
  }
  throw new Error(`${file}: cannot expand the spread ...${e.getText()} of an env schema`);
}

/** A top-level declaration of `name` in `file`, or in the package `file` imports it from. */
function findDeclaration(root: string, file: string, name: string): { file: string; node: ts.Node } | undefined {
  const own = topLevel(parse(root, file), name);
  if (own) {
    return { file, node: own };
  }
  const source = parse(root, file);
  for (const s of source.statements) {
    if (!ts.isImportDeclaration(s) || !ts.isStringLiteral(s.moduleSpecifier)) {
      continue;
    }
    const names = s.importClause?.namedBindings;
    if (!names || !ts.isNamedImports(names) || !names.elements.some((el) => el.name.text === name)) {
      continue;
    }
    const pkg = /^@outband\/(.+)$/.exec(s.moduleSpecifier.text)?.[1];
    const candidates = pkg
      ? sourceFiles(root).filter((f) => f.startsWith(join('packages', pkg, 'src')))
      : [join(file, '..', `${s.moduleSpecifier.text}.ts`)];
    for (const candidate of candidates) {
      const node = existsSync(join(root, candidate)) ? topLevel(parse(root, candidate), name) : undefined;
      if (node) {
        return { file: candidate, node };
      }
    }
  }
  return undefined;
}

function topLevel(source: ts.SourceFile, name: string): ts.Node | undefined {
  for (const s of source.statements) {
    if (ts.isFunctionDeclaration(s) && s.name?.text === name) {
      return s;
    }
    if (ts.isVariableStatement(s)) {
      const d = s.declarationList.declarations.find((decl) => ts.isIdentifier(decl.name) && decl.name.text === name);
      if (d) {
        return d;
      }
    }
  }
  return undefined;
}

function variableOf(p: ts.PropertyAssignment, bound: Map<string, ts.Expression>): EnvVariable {
  const chain = callChain(p.initializer);
  const tag = ts.getJSDocTags(p).find((t) => t.tagName.text === 'defaultValue');
  const fromTag = tag ? ts.getTextOfJSDocComment(tag.comment)?.trim() : undefined;
  const defaultCall = chain.find((c) => c.method === 'default');
  let defaultValue: string;
  if (fromTag) {
    defaultValue = fromTag.startsWith('`') || fromTag === 'none' || fromTag === 'empty' ? fromTag : `\`${fromTag}\``;
  } else if (defaultCall) {
    defaultValue = literal(defaultCall.args[0], bound);
  } else if (chain.some((c) => c.method === 'optional')) {
    defaultValue = 'none';
  } else {
    defaultValue = '**required**';
  }
  return { name: p.name.getText(), description: docOf(p), defaultValue, accepts: acceptsOf(chain) };
}

interface Call {
  method: string;
  args: readonly ts.Expression[];
}

/** `envInt(1, 600).default(300)` → [envInt(1, 600), default(300)], innermost first. */
function callChain(e: ts.Expression): Call[] {
  const calls: Call[] = [];
  let cur: ts.Expression = e;
  for (;;) {
    if (ts.isCallExpression(cur)) {
      const callee = cur.expression;
      if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'z') {
        calls.unshift({ method: `z.${callee.name.text}`, args: cur.arguments });
        return calls;
      }
      if (ts.isPropertyAccessExpression(callee)) {
        calls.unshift({ method: callee.name.text, args: cur.arguments });
        cur = callee.expression;
        continue;
      }
      calls.unshift({ method: callee.getText(), args: cur.arguments });
      return calls;
    }
    if (ts.isPropertyAccessExpression(cur)) {
      calls.unshift({ method: cur.getText(), args: [] });
      return calls;
    }
    calls.unshift({ method: cur.getText(), args: [] });
    return calls;
  }
}

function literal(e: ts.Expression | undefined, bound: Map<string, ts.Expression>): string {
  if (!e) {
    return 'none';
  }
  if (ts.isIdentifier(e) && bound.has(e.text)) {
    return literal(bound.get(e.text), new Map());
  }
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) {
    return e.text === '' ? 'empty' : `\`${e.text}\``;
  }
  if (ts.isNumericLiteral(e)) {
    return `\`${e.text}\``;
  }
  if (e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword) {
    return `\`${e.getText()}\``;
  }
  if (ts.isArrayLiteralExpression(e) && e.elements.every((el) => ts.isStringLiteral(el))) {
    return `\`${e.elements.map((el) => (el as ts.StringLiteral).text).join(',')}\``;
  }
  return `\`${e.getText()}\``;
}

function acceptsOf(chain: Call[]): string {
  const base = chain[0];
  if (!base) {
    return '';
  }
  const nums = base.args.map((a) => (ts.isNumericLiteral(a) ? a.text : a.getText()));
  switch (base.method) {
    case 'envInt':
      return `integer ${nums[0]}–${nums[1]}`;
    case 'envBool':
      return '`true`, `false`, `1`, `0`';
    case 'envUrl':
      return `URL (${base.args.map((a) => (ts.isStringLiteral(a) ? a.text : a.getText())).join(', ')})`;
    case 'envKeyRing':
      return `key ring \`id:base64,…\`, ≥ ${nums[0]} bytes each`;
    case 'envAmqpUrls':
      return 'URL (amqp, amqps), or several, comma-separated';
    case 'envBrokerUsers':
      return 'broker users, comma-separated';
    case 'z.enum': {
      const arr = base.args[0];
      return arr && ts.isArrayLiteralExpression(arr)
        ? arr.elements.map((el) => (ts.isStringLiteral(el) ? `\`${el.text}\`` : el.getText())).join(', ')
        : '';
    }
    case 'z.string': {
      const min = chain.find((c) => c.method === 'min')?.args[0]?.getText();
      const max = chain.find((c) => c.method === 'max')?.args[0]?.getText();
      if (min && max) {
        return `text, ${min}–${max} characters`;
      }
      return min ? `text, at least ${min} character(s)` : max ? `text, up to ${max} characters` : 'text';
    }
    case 'envJson':
      return 'JSON';
    default:
      return '';
  }
}

/** The doc comment's text, on one line; '' when there is none. */
function docOf(node: ts.Node): string {
  const text = ts
    .getJSDocCommentsAndTags(node)
    .filter(ts.isJSDoc)
    .map((d) => ts.getTextOfJSDocComment(d.comment) ?? '')
    .join(' ');
  return text.replace(/\s+/g, ' ').trim();
}
