import { parseArgs } from 'node:util';
import { ocra, parseOcraSuite } from '@outband/otp';

export const usage = `outband-token: answers an OCRA challenge as an enrolled token would (RFC 6287).

  OUTBAND_TOKEN_KEY=<hex> outband-token --suite OCRA-1:HOTP-SHA256-8:QN08 --challenge 12345678
  OUTBAND_TOKEN_KEY=<hex> outband-token --suite … --challenge <client> --challenge <server>   (mutual)

  OUTBAND_TOKEN_KEY  the token's key in hex, as the factor's binding gave it (never an argument,
                     which other users of the machine could read)
  --suite      the token's suite, as the factor's binding gave it
  --challenge  the challenge shown beside what you approve; twice for a mutual pair
  --counter    the counter, for a suite with C
  --pin        the PIN, for a suite with P
  --time       seconds since the epoch, for a suite with T (default: now)`;

/** The response a token with these settings shows for the challenge (or the usage, asked for). */
export function respond(argv: string[], env: NodeJS.ProcessEnv = process.env): string {
  const { values } = parseArgs({
    args: argv,
    options: {
      suite: { type: 'string' },
      challenge: { type: 'string', multiple: true },
      counter: { type: 'string' },
      pin: { type: 'string' },
      time: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    return usage;
  }
  const key = env.OUTBAND_TOKEN_KEY;
  const challenges = values.challenge ?? [];
  if (!values.suite || !key || challenges.length === 0 || challenges.length > 2) {
    throw new Error(`OUTBAND_TOKEN_KEY, --suite and one or two --challenge are required\n\n${usage}`);
  }
  if (!/^([0-9a-fA-F]{2})+$/.test(key)) {
    throw new Error('OUTBAND_TOKEN_KEY must be hex');
  }
  const suite = parseOcraSuite(values.suite);
  const [first, second] = challenges;
  return ocra(suite, Buffer.from(key, 'hex'), {
    ...(second !== undefined ? { challenges: [first!, second] as const } : { question: first! }),
    ...(values.counter !== undefined ? { counter: BigInt(values.counter) } : {}),
    ...(values.pin !== undefined ? { pin: values.pin } : {}),
    timeSeconds: values.time !== undefined ? Number(values.time) : Math.floor(Date.now() / 1000),
  });
}
