import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '@outband/errors';
import type { TwilioCredentialsView, TwilioPrincipal, TwilioServiceView } from '@outband/contracts';
import type { MerchantRepository } from '../merchants/merchant.repository';
import type { TwilioRepository, TwilioServiceRow } from './twilio.repository';
import { codeLengthFloor } from '../verifications/codes/code-length';
import type { FactorRepository } from '../factors/factor.repository';

export interface TwilioAccountsDeps {
  repo: TwilioRepository;
  merchants: Pick<MerchantRepository, 'isActive' | 'policy'>;
  /** A deleted service's factors end with it. */
  factors?: Pick<FactorRepository, 'deleteInService'>;
  clock: () => Date;
  /** Digits of the installation's OCRA suite, the length of a merchant without its own. @defaultValue 6 */
  suiteDigits?: number;
}

const sidOf = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;
const sha256 = (s: string) => createHash('sha256').update(s).digest();
// Compared against when the username is unknown, so both cases cost the same.
const nobody = sha256(randomBytes(16).toString('hex'));

/**
 * Merchants as the Twilio-compatible surface knows them: an account SID with an auth token, API
 * keys (SID and secret), and Verify services (`VA…`) with a friendly name and a code length.
 * Secrets are 128 random bits, shown once; only their SHA-256 is stored.
 */
export class TwilioAccounts {
  constructor(private readonly d: TwilioAccountsDeps) {}

  async authenticate(username: string, password: string): Promise<TwilioPrincipal> {
    const row = /^(AC|SK)[0-9a-f]{32}$/.test(username) ? await this.d.repo.credential(username) : undefined;
    const expected = row ? Buffer.from(row.secret_sha256, 'hex') : nobody;
    if (!timingSafeEqual(sha256(password), expected) || !row) {
      throw new AppError('unauthorized', 'TWILIO_AUTH_INVALID', 'the account or key SID and its secret do not match');
    }
    if (!(await this.d.merchants.isActive(row.merchant_id))) {
      throw new AppError('forbidden', 'MERCHANT_SUSPENDED', 'this merchant is suspended');
    }
    return { merchantId: row.merchant_id, accountSid: row.account_sid };
  }

  /**
   * Issues credentials: `auth_token` gives the merchant its account SID (once) and a new auth
   * token, which replaces the previous one; `api_key` adds a key SID and secret.
   */
  async issue(merchantId: string, kind: 'auth_token' | 'api_key'): Promise<TwilioCredentialsView> {
    const accountSid = (await this.d.repo.accountSidOf(merchantId)) ?? sidOf('AC');
    const sid = kind === 'auth_token' ? accountSid : sidOf('SK');
    const secret = randomBytes(16).toString('hex');
    await this.d.repo.putCredential({
      sid,
      merchant_id: merchantId,
      account_sid: accountSid,
      secret_sha256: sha256(secret).toString('hex'),
      created_at: this.d.clock(),
    });
    return { accountSid, sid, secret };
  }

  /**
   * A Verify service; its `CodeLength` may not undercut the merchant's policy (nor NIST's 6
   * digits), or a Twilio client could weaken the codes the operator set. Without one: the floor.
   */
  async createService(merchantId: string, friendlyName: string, codeLength?: number): Promise<TwilioServiceView> {
    const floor = await this.codeLengthFloor(merchantId, codeLength);
    const now = this.d.clock();
    const row: TwilioServiceRow = {
      sid: sidOf('VA'),
      merchant_id: merchantId,
      friendly_name: friendlyName,
      code_length: codeLength ?? floor,
      created_at: now,
      updated_at: now,
    };
    await this.d.repo.insertService(row);
    return view(row, await this.d.repo.accountSidOf(merchantId));
  }

  async listServices(merchantId: string): Promise<{ services: TwilioServiceView[] }> {
    const accountSid = await this.d.repo.accountSidOf(merchantId);
    return { services: (await this.d.repo.services(merchantId)).map((row) => view(row, accountSid)) };
  }

  /** Renames a service or changes its code length (never below the floor). */
  async updateService(merchantId: string, sid: string, change: { friendlyName?: string | undefined; codeLength?: number | undefined }) {
    await this.getService(merchantId, sid);
    if (change.codeLength !== undefined) {
      await this.codeLengthFloor(merchantId, change.codeLength);
    }
    await this.d.repo.updateService(
      sid,
      merchantId,
      {
        ...(change.friendlyName !== undefined ? { friendly_name: change.friendlyName } : {}),
        ...(change.codeLength !== undefined ? { code_length: change.codeLength } : {}),
      },
      this.d.clock(),
    );
    return this.getService(merchantId, sid);
  }

  /** Deletes a service: its entities and factors go with it; its verifications stay on record. */
  async deleteService(merchantId: string, sid: string): Promise<TwilioServiceView> {
    const service = await this.getService(merchantId, sid);
    await this.d.factors?.deleteInService(merchantId, sid, this.d.clock());
    await this.d.repo.deleteService(sid, merchantId);
    return service;
  }

  /** The shortest code the merchant's policy allows; a requested length below it is refused. */
  private async codeLengthFloor(merchantId: string, codeLength: number | undefined): Promise<number> {
    const floor = codeLengthFloor((await this.d.merchants.policy(merchantId)).codeLength, this.d.suiteDigits ?? 6);
    if (codeLength !== undefined && codeLength < floor) {
      throw new AppError('invalid_input', 'CODE_LENGTH_TOO_SHORT', `CodeLength must be at least ${floor}`, {
        fieldErrors: [{ field: 'CodeLength', message: `must be at least ${floor} digits (the operator's minimum)` }],
      });
    }
    return floor;
  }

  /** A service of this merchant; another merchant's reads as unknown. */
  async getService(merchantId: string, sid: string): Promise<TwilioServiceView> {
    const row = await this.d.repo.service(sid, merchantId);
    if (!row) {
      throw new AppError('not_found', 'SERVICE_NOT_FOUND', 'no such service');
    }
    return view(row, await this.d.repo.accountSidOf(merchantId));
  }
}

function view(row: TwilioServiceRow, accountSid: string | undefined): TwilioServiceView {
  return {
    sid: row.sid,
    // Services are created through the Twilio surface, so the merchant has an account SID.
    accountSid: accountSid ?? `AC${'0'.repeat(32)}`,
    friendlyName: row.friendly_name,
    codeLength: row.code_length,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
