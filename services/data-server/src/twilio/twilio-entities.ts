import { randomBytes } from 'node:crypto';
import { AppError } from '@outband/errors';
import type { FactorCreateV1, FactorView, TwilioEntityList, TwilioEntityView, VerificationView } from '@outband/contracts';
import type { FactorRepository } from '../factors/factor.repository';
import type { FactorService } from '../factors/factor.service';
import type { VerificationRepository } from '../verifications/verification.repository';
import { toView } from '../verifications/verification-view';
import type { TwilioEntityRow, TwilioRepository } from './twilio.repository';

export interface TwilioEntitiesDeps {
  repo: TwilioRepository;
  factors: Pick<FactorService, 'create'>;
  factorRows: Pick<FactorRepository, 'ofIdentifier' | 'deleteInService'>;
  verifications: Pick<VerificationRepository, 'byFactors'>;
  clock: () => Date;
}

/**
 * Twilio Verify's entities: the people of a service, named by the merchant's `Identity`, whom its
 * factors and challenges belong to. Creating a factor creates its entity, as on Twilio; deleting
 * an entity ends its factors.
 */
export class TwilioEntities {
  constructor(private readonly d: TwilioEntitiesDeps) {}

  async create(merchantId: string, serviceSid: string, identity: string): Promise<TwilioEntityView> {
    const row = this.newRow(merchantId, serviceSid, identity);
    if (!(await this.d.repo.insertEntity(row))) {
      throw new AppError('conflict', 'ENTITY_EXISTS', `an entity with Identity ${identity} already exists in this service`);
    }
    return viewOf(row);
  }

  async get(merchantId: string, serviceSid: string, identity: string): Promise<TwilioEntityView> {
    const row = await this.d.repo.entity(merchantId, serviceSid, identity);
    if (!row) {
      throw new AppError(
        'not_found',
        'ENTITY_NOT_FOUND',
        `The requested resource /Services/${serviceSid}/Entities/${identity} was not found`,
      );
    }
    return viewOf(row);
  }

  async list(merchantId: string, serviceSid: string): Promise<TwilioEntityList> {
    return { entities: (await this.d.repo.entities(merchantId, serviceSid)).map(viewOf) };
  }

  async delete(merchantId: string, serviceSid: string, identity: string): Promise<TwilioEntityView> {
    const entity = await this.get(merchantId, serviceSid, identity);
    await this.d.factorRows.deleteInService(merchantId, serviceSid, this.d.clock(), identity);
    await this.d.repo.deleteEntity(merchantId, serviceSid, identity);
    return entity;
  }

  /** A factor of the service's entity `identifier`, the entity created with it when it has none. */
  async createFactor(req: Omit<FactorCreateV1, 'type' | 'version'> & { serviceSid: string }): Promise<FactorView> {
    await this.d.repo.insertEntity(this.newRow(req.merchantId, req.serviceSid, req.identifier));
    return this.d.factors.create(req);
  }

  /** The challenges (TOTP verifications) of an entity, or of one of its factors, newest first. */
  async challenges(
    merchantId: string,
    serviceSid: string,
    identity: string,
    factorId?: string,
  ): Promise<{ verifications: VerificationView[] }> {
    await this.get(merchantId, serviceSid, identity);
    const factors = (await this.d.factorRows.ofIdentifier(merchantId, identity, serviceSid)).map((f) => f.id);
    const ids = factorId === undefined ? factors : factors.filter((f) => f === factorId);
    const now = this.d.clock();
    return { verifications: (await this.d.verifications.byFactors(merchantId, serviceSid, ids)).map((v) => toView(v, now, undefined)) };
  }

  private newRow(merchantId: string, serviceSid: string, identity: string): TwilioEntityRow {
    return {
      sid: `YE${randomBytes(16).toString('hex')}`,
      merchant_id: merchantId,
      service_sid: serviceSid,
      identity,
      created_at: this.d.clock(),
    };
  }
}

function viewOf(row: TwilioEntityRow): TwilioEntityView {
  return { sid: row.sid, serviceSid: row.service_sid, identity: row.identity, createdAt: new Date(row.created_at).toISOString() };
}
