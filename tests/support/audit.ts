import { openDatabase } from '@outband/db';
import type { Suite } from './suite';

/**
 * What the audit trail says of the code a verification issued: `login` when it went out,
 * `login:decoy` for a decoy, `login:withheld` when a send guard refused a subscriber's number.
 */
export async function issuedOutcome(suite: Suite, verificationId: unknown): Promise<string | undefined> {
  const db = openDatabase(suite.databaseUrl, { min: 0, max: 1 });
  try {
    const row = await db('audit_events')
      .where({ verification_id: String(verificationId), kind: 'certificate.issued' })
      .orderBy('id', 'desc')
      .first<{ outcome: string } | undefined>();
    return row?.outcome;
  } finally {
    await db.destroy();
  }
}
