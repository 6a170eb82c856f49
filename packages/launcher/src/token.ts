import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import jwt from 'jsonwebtoken';
import { loadDevEnv } from './dev-env';

/** `pnpm --silent merchant-token`: prints a 5-minute, single-use JWT of the demo merchant, for one curl call. */
const env = loadDevEnv(resolve(__dirname, '../../../.outband/dev.env'));
const secret = process.env.MERCHANT_SECRET ?? env.DEMO_MERCHANT_SECRET ?? '';
const token = jwt.sign({}, Buffer.from(secret, 'base64'), {
  algorithm: 'HS256',
  issuer: process.env.MERCHANT_ID ?? 'demo-shop',
  audience: process.env.JWT_AUDIENCE ?? 'outband',
  expiresIn: 300,
  keyid: process.env.MERCHANT_KID ?? 'demo-1',
  // A fresh jti: the server accepts each token once (JWT_REQUIRE_JTI).
  jwtid: randomUUID(),
});
process.stdout.write(`${token}\n`);
