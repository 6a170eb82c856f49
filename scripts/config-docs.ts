import ts from 'typescript';
import { isEnvShape, parse, variablesOf, zodObjectLiteral, type EnvVariable } from './env-schema-reader';
import { generatedNote, table } from './markdown';
import { sourceFiles } from './source-files';

export type { EnvVariable } from './env-schema-reader';

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
