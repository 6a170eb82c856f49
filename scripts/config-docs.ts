import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { generatedNote, table } from './markdown';
import { sourceFiles } from './source-files';

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

/** One program's environment schema. */
export interface EnvSchema {
  /** The file that declares it, relative to the repository root. */
  file: string;
  /** The variable holding the `z.object(…)`. */
  schema: string;
  variables: EnvVariable[];
}

/** Titles of the programs, by the file of their schema; any other schema found is titled by its package. */
const titles: Record<string, string> = {
  'services/information-server/src/config.ts': 'Information server (`services/information-server`)',
  'services/data-server/src/config.ts': 'Data server (`services/data-server`)',
  'services/message-server/src/config.ts': 'Message server (`services/message-server`)',
  'packages/smsc-simulator/src/main.ts': 'SMSC simulator (`pnpm smsc`, `packages/smsc-simulator`)',
  'packages/bank-simulator/src/main.ts': 'Bank simulator (`packages/bank-simulator`)',
  'packages/network-simulator/src/main.ts': "Operator's network APIs simulator (`packages/network-simulator`)",
};

/**
 * Every environment schema of the code base: a `z.object({ … })` in `services/*\/src` or
 * `packages/*\/src` (tests aside) whose keys are all upper-case variable names.
 */
export function findEnvSchemas(root: string): EnvSchema[] {
  const schemas: EnvSchema[] = [];
  for (const file of sourceFiles(root)) {
    const source = parse(root, file);
    for (const statement of source.statements) {
      if (!ts.isVariableStatement(statement)) {
        continue;
      }
      for (const decl of statement.declarationList.declarations) {
        const object = decl.initializer && zodObjectLiteral(decl.initializer);
        if (object && ts.isIdentifier(decl.name) && isEnvShape(object)) {
          schemas.push({ file, schema: decl.name.text, variables: variablesOf(root, file, object, new Map()) });
        }
      }
    }
  }
  return schemas.sort((a, b) => order(a.file) - order(b.file) || a.file.localeCompare(b.file));
}

/** Variables that say nothing of what they do: each needs a doc comment in its schema. */
export function undocumentedVariables(schemas: EnvSchema[]): string[] {
  return schemas.flatMap((s) => s.variables.filter((v) => v.description === '').map((v) => `${s.file}: ${v.name}`));
}

/** `docs/configuration.md`, before prettier. */
export function renderConfigDocs(schemas: EnvSchema[]): string {
  const parts = [
    '# Configuration',
    '',
    generatedNote('the zod schemas of each program (`services/*/src/config.ts`, `packages/config/src/common-env.ts`, the simulators)'),
    '',
    'Every program reads environment variables, parsed once at start by `parseEnv` (`packages/config`): a bad',
    'value stops the program with one message (`CONFIG_INVALID`) that lists every bad key, so a deployment is',
    'fixed in one pass. Any variable can instead be read from a file: `CODE_KEYS_FILE=/run/secrets/code_keys`',
    'sets `CODE_KEYS` from that file (Docker and Kubernetes secrets; one trailing newline is dropped; setting',
    'both is refused).',
    '',
    'Key rings (`CODE_KEYS`, `CODE_MAC_KEYS`, `BUS_SEAL_KEYS`, `CONTENT_KEYS`) are written `id1:base64,id2:base64`:',
    'the first key is active (used for new work), the others stay valid for work already in flight.',
    '',
    '`pnpm start` (the embedded default, `packages/launcher`) sets development values itself and reads',
    '`.outband/dev.env`; see [Launcher and tools](#launcher-and-tools) below.',
    '',
  ];
  for (const s of schemas) {
    parts.push(`## ${titles[s.file] ?? `\`${s.file}\``}`, '', `Schema: \`${s.schema}\` in \`${s.file}\`.`, '');
    parts.push(
      table(
        ['variable', 'default', 'accepts', 'what it does'],
        s.variables.map((v) => [`\`${v.name}\``, v.defaultValue, v.accepts, v.description]),
      ),
      '',
    );
  }
  parts.push('## Launcher and tools', '', launcherNote, '', table(['variable', 'read by', 'default', 'what it does'], launcherRows), '');
  return parts.join('\n');
}

// `pnpm start`, `pnpm merchant-token` and `pnpm outband` read a few variables without a schema.
const launcherNote =
  'These are read directly (no schema) by `pnpm start` (`packages/launcher/src/start.ts`), `pnpm merchant-token` (`packages/launcher/src/token.ts`) and `pnpm outband` (`packages/cli`). Without `AMQP_URL`, `REDIS_URL` and `DATABASE_URL`, `pnpm start` runs the embedded default (in-process bus, in-memory TTL store, SQLite file `.outband/outband.db`); each one set on its own (for example in `.outband/dev.env`) moves that part to RabbitMQ, Redis or MySQL.';
const launcherRows = [
  ['`BIND_ADDRESS`', '`pnpm start`', '`127.0.0.1`', 'the address every listener of the embedded default binds (`0.0.0.0` to expose it)'],
  ['`DEMO_SHOP_PORT`', '`pnpm start`', '`8050`', 'the demo shop started by `pnpm start`'],
  ['`BANK_HTTP_PORT`', '`pnpm start`', '`8030`', 'the bank simulator started by `pnpm start`'],
  [
    '`NETWORK_SIM_HTTP_PORT`',
    '`pnpm start`',
    '`8035`',
    "the operator's network APIs (SIM swap, number portability) simulated by `pnpm start`",
  ],
  [
    '`SMSC_SMPP_PORT`, `SMSC_HTTP_PORT`',
    '`pnpm start`',
    '`2775`, `8025`',
    'the SMSC simulator started by `pnpm start` (SMPP, and its inboxes and phones page)',
  ],
  ['`LOG_LEVEL`', '`pnpm start`', '`info`', 'pino level of every service in the process'],
  ['`LOG_FORMAT`', '`pnpm start`', '`pretty` on a terminal, else `json`', "one readable line per log entry, or pino's JSON"],
  [
    '`ADMIN_TOKENS`',
    '`pnpm start`',
    'made once into `.outband/dev.env` (`ops:<token>`)',
    'the operator of `/ops` and `/admin/v1`; the banner prints the user and password',
  ],
  [
    '`OPS_PORT`',
    '`pnpm start`',
    '`9101`',
    "the information server's ops port; the data and message servers use `OPS_PORT`+1 and +2 (`0`: any free ports)",
  ],
  [
    '`OPS_METRICS_URLS`',
    '`pnpm start`',
    "the data and message servers' `/metrics`",
    "what `/ops` shows beside the information server's own metrics",
  ],
  [
    '`DEMO_MERCHANT_SECRET`',
    '`pnpm start`, `pnpm merchant-token`',
    'made once into `.outband/dev.env`',
    'the HS256 key (`kid` `demo-1`) of the seeded merchant `demo-shop`',
  ],
  ['`MERCHANT_SECRET`', '`pnpm merchant-token`, `pnpm outband`', '`DEMO_MERCHANT_SECRET`', 'base64 HS256 key the token is signed with'],
  ['`MERCHANT_ID`, `MERCHANT_KID`', '`pnpm merchant-token`', '`demo-shop`, `demo-1`', "the token's `iss` and `kid`"],
  ['`JWT_AUDIENCE`', '`pnpm merchant-token`, `pnpm outband`', '`outband`', "the token's `aud` (the information server's `JWT_AUDIENCE`)"],
  ['`DATABASE_URL`', '`pnpm outband`, `pnpm migrate`', '`mysql://root@127.0.0.1:3306/outband`', 'the database the command works on'],
];

// ── Reading the schemas ──────────────────────────────────────────────────────────────────

function order(file: string): number {
  const i = Object.keys(titles).indexOf(file);
  return i < 0 ? 99 : i;
}

const parsed = new Map<string, ts.SourceFile>();
function parse(root: string, file: string): ts.SourceFile {
  const key = join(root, file);
  let source = parsed.get(key);
  if (!source) {
    source = ts.createSourceFile(file, readFileSync(key, 'utf8'), ts.ScriptTarget.Latest, true);
    parsed.set(key, source);
  }
  return source;
}

/** The object literal of `z.object({ … })`, also under `.transform(…)`, `.superRefine(…)` and the like. */
function zodObjectLiteral(e: ts.Expression): ts.ObjectLiteralExpression | undefined {
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

function isEnvShape(object: ts.ObjectLiteralExpression): boolean {
  const named = object.properties.filter((p) => !ts.isSpreadAssignment(p));
  return (
    object.properties.length > 0 &&
    named.every((p) => p.name !== undefined && envName.test(p.name.getText())) &&
    (named.length > 0 || object.properties.some((p) => ts.isSpreadAssignment(p)))
  );
}

/** The variables of an object literal, spreads (`...busEnv`, `...opsEnv(9101)`) expanded. */
function variablesOf(root: string, file: string, object: ts.ObjectLiteralExpression, bound: Map<string, ts.Expression>): EnvVariable[] {
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
