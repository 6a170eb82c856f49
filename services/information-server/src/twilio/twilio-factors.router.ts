import { Router, type Request } from 'express';
import { z } from 'zod';
import { AppError } from '@outband/errors';
import { authenticatorCode, identifier, type TwilioEntityList, type TwilioEntityView } from '@outband/contracts';
import type { DataClient } from '../rpc/data-client';
import { validate } from '../http/validate';
import { listOf, merchantOf, serviceOf, where } from './twilio-request';
import { challengeResource, entityResource, factorResource, fromChallengeSid, fromFactorSid } from './twilio-factor-resources';

const factorSid = z.string().regex(/^YF[0-9a-f]{32}$/, 'must be YF and 32 hex digits');
const authPayload = authenticatorCode;
const createEntityForm = z.object({ Identity: identifier });
const createFactorForm = z.object({
  FriendlyName: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[^:\p{Cc}]+$/u, 'must not hold a colon or control characters'),
  FactorType: z.literal('totp', { error: 'only totp factors are supported here' }),
  // What every authenticator app reads: other settings would leave some apps showing wrong codes.
  'Config.Alg': z.literal('sha1', { error: 'only sha1 is supported' }).optional(),
  'Config.CodeLength': z.literal('6', { error: 'only 6 digits are supported' }).optional(),
  'Config.TimeStep': z.literal('30', { error: 'only 30 seconds are supported' }).optional(),
  'Config.Skew': z.enum(['0', '1', '2']).optional(),
  'Binding.Secret': z.never({ error: 'a secret is generated here, never given' }).optional(),
});
const updateFactorForm = z.object({ AuthPayload: authPayload.optional(), FriendlyName: createFactorForm.shape.FriendlyName.optional() });
const createChallengeForm = z.object({
  FactorSid: factorSid,
  AuthPayload: authPayload.optional(),
  'Details.Message': z.string().max(255).optional(),
});
const updateChallengeForm = z.object({ AuthPayload: authPayload });

/**
 * Twilio Verify's TOTP factors: entities (the service's people), their factors (a secret shown once,
 * verified by a first code) and challenges (a code checked as a verification of channel `totp`, with
 * its attempt limits, lockout and audit).
 */
export function twilioFactorsRouter(data: DataClient): Router {
  const router = Router();
  const base = '/Services/:serviceSid/Entities';

  router.post(base, async (req, res) => {
    const { Identity } = validate(createEntityForm, req.body);
    const service = await serviceOf(data, req);
    const e = (await data.twilioEntity(
      { merchantId: merchantOf(req), serviceSid: service.sid, action: 'create', identity: Identity },
      req.correlationId,
    )) as TwilioEntityView;
    res.status(201).json(entityResource(e, where(req)));
  });

  router.get(base, async (req, res) => {
    const service = await serviceOf(data, req);
    const list = (await data.twilioEntity(
      { merchantId: merchantOf(req), serviceSid: service.sid, action: 'list' },
      req.correlationId,
    )) as TwilioEntityList;
    res.json(
      listOf(
        req,
        'entities',
        list.entities.map((e) => entityResource(e, where(req))),
      ),
    );
  });

  router.get(`${base}/:identity`, async (req, res) => {
    res.json(entityResource(await entityOf(data, req), where(req)));
  });

  router.delete(`${base}/:identity`, async (req, res) => {
    const e = await entityOf(data, req);
    await data.twilioEntity(
      { merchantId: merchantOf(req), serviceSid: e.serviceSid, action: 'delete', identity: e.identity },
      req.correlationId,
    );
    res.status(204).end();
  });

  router.post(`${base}/:identity/Factors`, async (req, res) => {
    const form = validate(createFactorForm, req.body);
    const service = await serviceOf(data, req);
    const identity = identityOf(req);
    const f = await data.createFactor(
      { merchantId: merchantOf(req), identifier: identity, factorType: 'totp', label: form.FriendlyName, serviceSid: service.sid },
      req.correlationId,
    );
    const e = await entityOf(data, req, service.sid);
    res
      .status(201)
      .set('Cache-Control', 'no-store')
      .json(factorResource(f, e.sid, where(req)));
  });

  router.get(`${base}/:identity/Factors`, async (req, res) => {
    const e = await entityOf(data, req);
    const list = await data.listFactors(
      { merchantId: merchantOf(req), identifier: e.identity, serviceSid: e.serviceSid },
      req.correlationId,
    );
    // Deleted and failed factors are not Twilio's: not listed.
    const live = list.factors.filter((f) => f.status === 'unverified' || f.status === 'verified');
    res.json(
      listOf(
        req,
        'factors',
        live.map((f) => factorResource(f, e.sid, where(req))),
      ),
    );
  });

  router.get(`${base}/:identity/Factors/:sid`, async (req, res) => {
    const e = await entityOf(data, req);
    const f = await data.factorAction(
      { merchantId: merchantOf(req), factorId: factorIdOf(req), action: 'get', serviceSid: e.serviceSid },
      req.correlationId,
    );
    res.json(factorResource(sameIdentity(f, e), e.sid, where(req)));
  });

  router.post(`${base}/:identity/Factors/:sid`, async (req, res) => {
    const form = validate(updateFactorForm, req.body);
    const e = await entityOf(data, req);
    const key = { merchantId: merchantOf(req), factorId: factorIdOf(req), serviceSid: e.serviceSid };
    let f = sameIdentity(await data.factorAction({ ...key, action: 'get' }, req.correlationId), e);
    if (form.FriendlyName) {
      f = await data.factorAction({ ...key, action: 'rename', label: form.FriendlyName }, req.correlationId);
    }
    if (form.AuthPayload) {
      f = await data.factorAction({ ...key, action: 'confirm', code: form.AuthPayload }, req.correlationId);
    }
    res.json(factorResource(f, e.sid, where(req)));
  });

  router.delete(`${base}/:identity/Factors/:sid`, async (req, res) => {
    const e = await entityOf(data, req);
    const key = { merchantId: merchantOf(req), factorId: factorIdOf(req), serviceSid: e.serviceSid };
    sameIdentity(await data.factorAction({ ...key, action: 'get' }, req.correlationId), e);
    await data.factorAction({ ...key, action: 'delete' }, req.correlationId);
    res.status(204).end();
  });

  router.post(`${base}/:identity/Challenges`, async (req, res) => {
    const form = validate(createChallengeForm, req.body);
    const e = await entityOf(data, req);
    const merchantId = merchantOf(req);
    let v = await data.startVerification(
      {
        merchantId,
        identifier: e.identity,
        purpose: 'login',
        channel: 'totp',
        serviceSid: e.serviceSid,
        factorId: fromFactorSid(form.FactorSid),
      },
      req.correlationId,
    );
    if (form.AuthPayload) {
      v = (await data.checkVerification(merchantId, v.id, form.AuthPayload, { serviceSid: e.serviceSid }, req.correlationId)).verification;
    }
    res.status(201).json(challengeResource(v, e.identity, e.sid, where(req), form['Details.Message']));
  });

  router.get(`${base}/:identity/Challenges`, async (req, res) => {
    const e = await entityOf(data, req);
    const filter = typeof req.query.FactorSid === 'string' ? factorSid.safeParse(req.query.FactorSid) : undefined;
    if (filter && !filter.success) {
      throw new AppError('invalid_input', 'INVALID_INPUT', 'FactorSid must be YF and 32 hex digits', {
        fieldErrors: [{ field: 'FactorSid', message: 'must be YF and 32 hex digits' }],
      });
    }
    const { verifications } = await data.twilioChallenges(
      {
        merchantId: merchantOf(req),
        serviceSid: e.serviceSid,
        identity: e.identity,
        ...(filter?.data ? { factorId: fromFactorSid(filter.data) } : {}),
      },
      req.correlationId,
    );
    const status = typeof req.query.Status === 'string' ? req.query.Status : undefined;
    const records = verifications
      .map((v) => challengeResource(v, e.identity, e.sid, where(req)))
      .filter((c) => !status || c.status === status);
    res.json(listOf(req, 'challenges', records));
  });

  router.get(`${base}/:identity/Challenges/:sid`, async (req, res) => {
    const e = await entityOf(data, req);
    const v = await challengeOf(data, req, e);
    res.json(challengeResource(v, e.identity, e.sid, where(req)));
  });

  router.post(`${base}/:identity/Challenges/:sid`, async (req, res) => {
    const form = validate(updateChallengeForm, req.body);
    const e = await entityOf(data, req);
    const v = await challengeOf(data, req, e);
    const checked = await data.checkVerification(merchantOf(req), v.id, form.AuthPayload, { serviceSid: e.serviceSid }, req.correlationId);
    res.json(challengeResource(checked.verification, e.identity, e.sid, where(req)));
  });

  return router;
}

function identityOf(req: Request): string {
  const parsed = identifier.safeParse(req.params.identity);
  if (!parsed.success) {
    throw new AppError('not_found', 'ENTITY_NOT_FOUND', 'The requested resource was not found');
  }
  return parsed.data;
}

/** The request's entity, in its service (read already, or now). */
async function entityOf(data: DataClient, req: Request, serviceSid?: string): Promise<TwilioEntityView> {
  const sid = serviceSid ?? (await serviceOf(data, req)).sid;
  return (await data.twilioEntity(
    { merchantId: merchantOf(req), serviceSid: sid, action: 'get', identity: identityOf(req) },
    req.correlationId,
  )) as TwilioEntityView;
}

function factorIdOf(req: Request): string {
  const parsed = factorSid.safeParse(req.params.sid);
  if (!parsed.success) {
    throw new AppError('not_found', 'FACTOR_NOT_FOUND', 'The requested resource was not found');
  }
  return fromFactorSid(parsed.data);
}

/** Another entity's factor of the same service reads as not found, as does one deleted or failed (Twilio has neither). */
function sameIdentity<F extends { identifier: string; status: string }>(f: F, e: TwilioEntityView): F {
  if (f.identifier !== e.identity || f.status === 'deleted' || f.status === 'failed') {
    throw new AppError('not_found', 'FACTOR_NOT_FOUND', 'The requested resource was not found');
  }
  return f;
}

/** A challenge of this entity: a TOTP verification of the service naming one of its factors. */
async function challengeOf(data: DataClient, req: Request, e: TwilioEntityView) {
  const sid = String(req.params.sid);
  if (/^YC[0-9a-f]{32}$/.test(sid)) {
    const v = await data.getVerification(merchantOf(req), fromChallengeSid(sid), req.correlationId);
    const { verifications } = await data.twilioChallenges(
      { merchantId: merchantOf(req), serviceSid: e.serviceSid, identity: e.identity },
      req.correlationId,
    );
    if (v.serviceSid === e.serviceSid && verifications.some((c) => c.id === v.id)) {
      return v;
    }
  }
  throw new AppError('not_found', 'CHALLENGE_NOT_FOUND', 'The requested resource was not found');
}
