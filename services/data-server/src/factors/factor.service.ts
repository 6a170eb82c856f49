import { randomBytes } from 'node:crypto';
import { AppError } from '@outband/errors';
import { seal, unseal, type FactorCreateV1, type FactorView, type SealKey } from '@outband/contracts';
import { base32, type OcraSuite } from '@outband/otp';
import type { AuditLog } from '../audit/audit-log';
import type { MerchantPolicy } from '../merchants/merchant.repository';
import type { FactorRecord, FactorRepository } from './factor.repository';
import { freshStep, newTotp, otpauthUri } from './totp-factor';
import { answersChallenge, confirmChallenge, newOcra, ocraResponse } from './ocra-factor';
import { qrCodeOf } from './qr-code';

export interface FactorDeps {
  factors: FactorRepository;
  audit: Pick<AuditLog, 'append'>;
  policyOf: (merchantId: string) => Promise<MerchantPolicy>;
  /** Seal the secrets at rest (CONTENT_KEYS); without them factors are off. */
  keys: SealKey[] | undefined;
  /** The suite new OCRA tokens compute (OCRA_FACTOR_SUITE): a question alone. */
  ocraSuite: OcraSuite;
  clock: () => Date;
  /** Wrong first codes before a new factor fails. @defaultValue 5 */
  maxConfirmAttempts?: number;
  /** Steps either side of now a TOTP code may come from (clocks drift). @defaultValue 1 */
  window?: number;
}

/**
 * Authenticator factors: a TOTP app (RFC 6238), whose secret is shown once as an `otpauth://` URI
 * and a QR code, or an OCRA token (RFC 6287), whose key and suite are shown once to load it; each
 * confirmed by a first code, then checking the identifier's verifications (channels `totp` and
 * `ocra-app`) with the verifications' own attempt limits, lockout and audit.
 */
export class FactorService {
  constructor(private readonly d: FactorDeps) {}

  async create(req: Omit<FactorCreateV1, 'type' | 'version'>): Promise<FactorView> {
    const keys = this.keys();
    const service = req.serviceSid ?? null;
    const existing = await this.d.factors.ofIdentifier(req.merchantId, req.identifier, service);
    if (existing.some((f) => f.type === req.factorType && f.status === 'verified')) {
      throw new AppError('conflict', 'FACTOR_EXISTS', `this identifier has a verified ${req.factorType} factor: delete it first`);
    }
    const now = this.d.clock();
    // An unconfirmed secret was shown to someone: a new one replaces it.
    for (const f of existing.filter((e) => e.type === req.factorType)) {
      await this.d.factors.transition(f.id, 'unverified', 'deleted', now);
    }
    const { secret, settings } = req.factorType === 'totp' ? newTotp() : newOcra(this.d.ocraSuite);
    const id = `fa_${randomBytes(16).toString('hex')}`;
    const f: FactorRecord = {
      id,
      merchantId: req.merchantId,
      identifier: req.identifier,
      type: req.factorType,
      status: 'unverified',
      label: req.label ?? req.identifier,
      sealedSecret: seal(keys, secret.toString('hex'), id),
      ...settings,
      usedStep: null,
      failedConfirms: 0,
      serviceSid: service,
      createdAt: now,
      updatedAt: now,
      verifiedAt: null,
    };
    await this.d.factors.insert(f);
    await this.audited(f, 'created');
    if (f.type === 'ocra') {
      return { ...viewOf(f), binding: { secret: secret.toString('hex'), suite: f.suite ?? '', challenge: confirmChallenge(f, secret) } };
    }
    const policy = await this.d.policyOf(req.merchantId);
    const uri = otpauthUri(f, policy.senderName ?? 'Outband', secret);
    return { ...viewOf(f), binding: { uri, secret: base32(secret), qr: await qrCodeOf(uri) } };
  }

  /** A factor of the merchant's own, or of a Twilio service (`serviceSid`): each reads the other's as unknown. */
  async get(merchantId: string, id: string, serviceSid?: string): Promise<FactorView> {
    return viewOf(await this.find(merchantId, id, serviceSid));
  }

  async list(merchantId: string, identifier: string, serviceSid?: string): Promise<{ factors: FactorView[] }> {
    return { factors: (await this.d.factors.ofIdentifier(merchantId, identifier, serviceSid ?? null)).map(viewOf) };
  }

  async delete(merchantId: string, id: string, serviceSid?: string): Promise<FactorView> {
    const f = await this.find(merchantId, id, serviceSid);
    for (const from of ['unverified', 'verified'] as const) {
      if (await this.d.factors.transition(f.id, from, 'deleted', this.d.clock())) {
        await this.audited(f, 'deleted');
        break;
      }
    }
    return this.get(merchantId, id, serviceSid);
  }

  /** Renames a factor (Twilio's `FriendlyName`). */
  async relabel(merchantId: string, id: string, label: string, serviceSid?: string): Promise<FactorView> {
    const f = await this.find(merchantId, id, serviceSid);
    await this.d.factors.relabel(f.id, label, this.d.clock());
    return this.get(merchantId, id, serviceSid);
  }

  /**
   * The first code from the authenticator: the right one verifies the factor. Each try takes one
   * of the factor's attempts before the code is looked at, so tries in parallel cannot exceed them.
   */
  async confirm(merchantId: string, id: string, code: string, serviceSid?: string): Promise<FactorView> {
    const f = await this.find(merchantId, id, serviceSid);
    if (f.status !== 'unverified') {
      return viewOf(f);
    }
    const limit = this.maxConfirmAttempts();
    if (!(await this.d.factors.takeConfirmAttempt(f.id, limit))) {
      return this.get(merchantId, id, serviceSid);
    }
    if ((await this.firstCodeRight(f, code)) && (await this.d.factors.transition(f.id, 'unverified', 'verified', this.d.clock()))) {
      await this.audited(f, 'verified');
      return this.get(merchantId, id, serviceSid);
    }
    const failed = await this.d.factors.failIfSpent(f.id, limit, this.d.clock());
    await this.audited(f, failed ? 'failed' : 'mismatch');
    const now = await this.find(merchantId, id, serviceSid);
    return {
      ...viewOf(now),
      cause: {
        code: 'CODE_MISMATCH',
        detail: f.type === 'totp' ? 'that is not the code the app shows now' : "that is not the token's response to the challenge",
      },
    };
  }

  /**
   * Whether `code` is a fresh code of the verified TOTP factor `id`, its step then used (a replay
   * or a code of another factor is not).
   */
  async useCode(merchantId: string, id: string, code: string): Promise<boolean> {
    const f = await this.d.factors.find(merchantId, id);
    if (f?.status !== 'verified' || f.type !== 'totp' || !this.d.keys) {
      return false;
    }
    const step = freshStep(f, this.secretOf(f), code, this.d.clock(), this.d.window ?? 1);
    return step !== undefined && this.d.factors.useStep(f.id, step);
  }

  /** The response the verified OCRA token `f` gives to `challenge`: what its holder types back. */
  responseTo(f: FactorRecord, challenge: string): string | undefined {
    return f.status === 'verified' && f.type === 'ocra' && this.d.keys ? ocraResponse(f, this.secretOf(f), challenge) : undefined;
  }

  /** Whether factor `id` still checks codes (not deleted since a verification was started with it). */
  async isVerified(merchantId: string, id: string): Promise<boolean> {
    return (await this.d.factors.find(merchantId, id))?.status === 'verified';
  }

  /** The suite an OCRA verification's challenge is made for: its token's, or the installation's. */
  ocraSuiteOf(f: FactorRecord | undefined): string {
    return f?.suite ?? this.d.ocraSuite.text;
  }

  /**
   * The verified factor of `type` a verification of `identifier` is checked by: the one a Twilio
   * challenge names (`factorId`, which must be that identity's in that service), or the merchant's own.
   */
  async verifiedOf(
    merchantId: string,
    identifier: string,
    type: FactorRecord['type'],
    o: { serviceSid?: string | undefined; factorId?: string | undefined } = {},
  ): Promise<FactorRecord | undefined> {
    if (o.factorId !== undefined) {
      const f = await this.d.factors.find(merchantId, o.factorId);
      if (f?.serviceSid !== (o.serviceSid ?? null) || f.identifier !== identifier || f.type !== type || f.status === 'deleted') {
        throw new AppError('not_found', 'FACTOR_NOT_FOUND', 'no such factor');
      }
      if (f.status !== 'verified') {
        throw new AppError('conflict', 'FACTOR_NOT_VERIFIED', 'the factor is not verified yet: confirm it with a first code');
      }
      return f;
    }
    return (await this.d.factors.ofIdentifier(merchantId, identifier, o.serviceSid ?? null)).find(
      (f) => f.type === type && f.status === 'verified',
    );
  }

  /** A TOTP app's first code takes its step; an OCRA token's is its response to the confirm challenge. */
  private async firstCodeRight(f: FactorRecord, code: string): Promise<boolean> {
    const secret = this.secretOf(f);
    if (f.type === 'ocra') {
      return answersChallenge(f, secret, confirmChallenge(f, secret), code);
    }
    const step = freshStep(f, secret, code, this.d.clock(), this.d.window ?? 1);
    return step !== undefined && this.d.factors.useStep(f.id, step);
  }

  private secretOf(f: FactorRecord): Buffer {
    return Buffer.from(unseal(this.keys(), f.sealedSecret, f.id), 'hex');
  }

  private maxConfirmAttempts(): number {
    return this.d.maxConfirmAttempts ?? 5;
  }

  private async find(merchantId: string, id: string, serviceSid?: string): Promise<FactorRecord> {
    const f = await this.d.factors.find(merchantId, id);
    if (!f || f.serviceSid !== (serviceSid ?? null)) {
      throw new AppError('not_found', 'FACTOR_NOT_FOUND', 'no such factor');
    }
    return f;
  }

  private async audited(f: FactorRecord, what: 'created' | 'verified' | 'mismatch' | 'failed' | 'deleted'): Promise<void> {
    await this.d.audit.append({
      at: this.d.clock(),
      kind: `factor.${what}`,
      merchantId: f.merchantId,
      verificationId: null,
      subscriberId: null,
      outcome: f.id,
    });
  }

  private keys(): SealKey[] {
    if (!this.d.keys) {
      throw new AppError('unavailable', 'FACTORS_DISABLED', 'no content key is configured on this installation (CONTENT_KEYS)');
    }
    return this.d.keys;
  }
}

function viewOf(f: FactorRecord): FactorView {
  return {
    id: f.id,
    identifier: f.identifier,
    type: f.type,
    status: f.status,
    label: f.label,
    config: {
      algorithm: f.algorithm,
      digits: f.digits,
      ...(f.periodSeconds !== null ? { periodSeconds: f.periodSeconds } : {}),
      ...(f.suite ? { suite: f.suite } : {}),
    },
    createdAt: f.createdAt.toISOString(),
    updatedAt: f.updatedAt.toISOString(),
    ...(f.serviceSid ? { serviceSid: f.serviceSid } : {}),
    ...(f.verifiedAt ? { verifiedAt: f.verifiedAt.toISOString() } : {}),
  };
}
