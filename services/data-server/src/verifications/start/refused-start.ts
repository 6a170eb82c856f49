import type { AuditLog } from '../../audit/audit-log';

/** Audits a start the merchant's policy refused for a subscriber or a number (what the network said, a recent address change). */
export async function auditRefusedStart(
  audit: Pick<AuditLog, 'append'>,
  refused: { merchantId: string; subscriberId: number | null; code: string; at: Date },
): Promise<void> {
  await audit.append({
    at: refused.at,
    kind: 'verification.refused',
    merchantId: refused.merchantId,
    verificationId: null,
    subscriberId: refused.subscriberId,
    outcome: refused.code.toLowerCase(),
  });
}
