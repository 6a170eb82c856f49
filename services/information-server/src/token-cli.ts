import jwt from 'jsonwebtoken';

/**
 * Prints a merchant JWT for curl: `token <merchant id> <kid>` with the HS256 secret (base64)
 * in MERCHANT_SECRET. Valid 5 minutes, audience JWT_AUDIENCE (default "outband").
 */
function main(): void {
  const [merchantId, kid] = process.argv.slice(2);
  const secret = process.env.MERCHANT_SECRET;
  if (!merchantId || !kid || !secret) {
    console.error('usage: MERCHANT_SECRET=<base64> token <merchant id> <kid>');
    process.exit(2);
  }
  const token = jwt.sign({}, Buffer.from(secret, 'base64'), {
    algorithm: 'HS256',
    issuer: merchantId,
    audience: process.env.JWT_AUDIENCE ?? 'outband',
    expiresIn: 300,
    keyid: kid,
  });
  console.log(token);
}

main();
