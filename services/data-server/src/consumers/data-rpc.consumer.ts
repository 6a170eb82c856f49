import { AppError } from '@outband/errors';
import { dataRpcRequest, type BusNames, type DataRpcRequest } from '@outband/contracts';
import type { Bus, DeliveryContext } from '@outband/bus';
import type { Counter } from '@outband/observability';
import type { MerchantRepository } from '../adapters/merchant.repository';
import type { VerificationService } from '../domain/verification.service';

export interface DataRpcDeps {
  bus: Bus;
  names: BusNames;
  verifications: VerificationService;
  merchants: MerchantRepository;
  started: Counter<'purpose'>;
  checks: Counter<'outcome'>;
}

/** Answers the information server's requests (start, check, cancel, get, merchant keys). */
export async function serveDataRpc(d: DataRpcDeps): Promise<void> {
  await d.bus.serve(d.names.dataRpcQueue, dataRpcRequest, (req, ctx) => handle(d, req, ctx), { prefetch: 32 });
}

async function handle(d: DataRpcDeps, req: DataRpcRequest, ctx: DeliveryContext): Promise<unknown> {
  switch (req.type) {
    case 'verification.start': {
      const view = await d.verifications.start(req, ctx.correlationId);
      d.started.inc({ purpose: req.purpose });
      return view;
    }
    case 'verification.check':
      try {
        const result = await d.verifications.check(req.merchantId, req.verificationId, req.submittedCode, {
          transaction: req.transaction,
          message: req.message,
        });
        d.checks.inc({ outcome: result.outcome });
        return result;
      } catch (e) {
        d.checks.inc({ outcome: e instanceof AppError ? e.code.toLowerCase() : 'error' });
        throw e;
      }
    case 'verification.cancel':
      return d.verifications.cancel(req.merchantId, req.verificationId);
    case 'verification.get':
      return d.verifications.get(req.merchantId, req.verificationId);
    case 'merchant.keys.get': {
      const keys = await d.merchants.findKeys(req.merchantId);
      if (!keys) {
        throw new AppError('not_found', 'MERCHANT_UNKNOWN', 'unknown merchant');
      }
      return keys;
    }
  }
}
