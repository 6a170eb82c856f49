import express, { Router, type Request, type RequestHandler } from 'express';
import { z } from 'zod';
import { AppError, isAppError } from '@outband/errors';
import { codeLength, e164, identifier, phoneText, senderName, type TwilioPrincipal } from '@outband/contracts';
import type { Logger } from '@outband/observability';
import type { DataClient } from '../rpc/data-client';
import { validate } from '../http/validate';
import { twilioErrorHandler } from './twilio-errors';
import { merchantOf, serviceOf, where, listOf } from './twilio-request';
import { twilioFactorsRouter } from './twilio-factors.router';
import { twilioAttemptsRouter } from './twilio-attempts.router';
import { fromVerificationSid, parseAmount, serviceResource, verificationCheckResource, verificationResource } from './twilio-resources';

// Form fields arrive as strings; fields Twilio knows and Outband ignores pass through.
const createServiceForm = z.object({
  FriendlyName: senderName,
  CodeLength: z.coerce.number().pipe(codeLength).optional(),
});
/**
 * Twilio's `To`: with a `+` it names a phone number and must be E.164; otherwise a subscriber
 * identifier. A malformed number is refused: only what could be a real number or identifier gets
 * the decoy that hides whether a subscriber exists.
 */
const to = identifier.refine((s) => !s.startsWith('+') || e164.safeParse(s).success, {
  message: 'must be an E.164 number (+ then 8 to 15 digits, the first not 0) or a subscriber identifier',
});
const psd2 = { Amount: z.string().max(40).optional(), Payee: phoneText(64, { currency: false }).optional() };
const createVerificationForm = z.object({
  To: to,
  Channel: z.string(),
  Locale: z.string().max(10).optional(),
  CustomFriendlyName: senderName.optional(),
  CustomCode: z.never({ error: 'custom codes are not supported: Outband derives every code' }).optional(),
  ...psd2,
});
const updateServiceForm = z.object({
  FriendlyName: senderName.optional(),
  CodeLength: z.coerce.number().pipe(codeLength).optional(),
});
const updateVerificationForm = z.object({ Status: z.enum(['canceled', 'approved']) });
const checkForm = z.object({
  Code: z.string().regex(/^\d{4,10}$/, 'must be the 4 to 10 digits received'),
  To: to.optional(),
  VerificationSid: z
    .string()
    .regex(/^VE[0-9a-f]{32}$/, 'must be VE and 32 hex digits')
    .optional(),
  ...psd2,
});

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The merchant and account SID a Twilio-compatible request was authenticated as. */
      twilio?: TwilioPrincipal;
    }
  }
}

/**
 * Twilio Verify v2, as its public documentation describes it: form-encoded requests, HTTP Basic
 * auth (account SID and auth token, or API key SID and secret), Twilio's JSON fields, ids and
 * error codes. An application written with the `twilio` package switches by changing the base URL.
 */
export function twilioRouter(
  data: DataClient,
  logger: Logger,
  limits: { beforeAuth: RequestHandler[]; afterAuth: RequestHandler[] } = { beforeAuth: [], afterAuth: [] },
): Router {
  const router = Router();
  // Request limits answer in Twilio's error shape too: they run inside this router.
  router.use(...limits.beforeAuth, express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 100 }));
  router.use(basicAuth(data), ...limits.afterAuth);

  router.post('/Services', async (req, res) => {
    const form = validate(createServiceForm, req.body);
    const service = await data.twilioService(
      // Without a CodeLength the data server takes the merchant's floor (at least 6).
      {
        merchantId: merchantOf(req),
        action: 'create',
        friendlyName: form.FriendlyName,
        ...(form.CodeLength === undefined ? {} : { codeLength: form.CodeLength }),
      },
      req.correlationId,
    );
    res.status(201).json(serviceResource(service, where(req)));
  });

  router.get('/Services', async (req, res) => {
    const list = await data.twilioServices({ merchantId: merchantOf(req) }, req.correlationId);
    res.json(
      listOf(
        req,
        'services',
        list.services.map((s) => serviceResource(s, where(req))),
      ),
    );
  });

  router.get('/Services/:serviceSid', async (req, res) => {
    res.json(serviceResource(await serviceOf(data, req), where(req)));
  });

  router.post('/Services/:serviceSid', async (req, res) => {
    const form = validate(updateServiceForm, req.body);
    const service = await serviceOf(data, req);
    const updated = await data.twilioService(
      {
        merchantId: merchantOf(req),
        action: 'update',
        serviceSid: service.sid,
        ...(form.FriendlyName !== undefined ? { friendlyName: form.FriendlyName } : {}),
        ...(form.CodeLength !== undefined ? { codeLength: form.CodeLength } : {}),
      },
      req.correlationId,
    );
    res.json(serviceResource(updated, where(req)));
  });

  router.delete('/Services/:serviceSid', async (req, res) => {
    const service = await serviceOf(data, req);
    await data.twilioService({ merchantId: merchantOf(req), action: 'delete', serviceSid: service.sid }, req.correlationId);
    res.status(204).end();
  });

  router.post('/Services/:serviceSid/Verifications', async (req, res) => {
    const form = validate(createVerificationForm, req.body);
    const service = await serviceOf(data, req);
    if (form.Channel !== 'sms') {
      throw new AppError('invalid_input', 'CHANNEL_UNSUPPORTED', `Channel ${form.Channel} is not supported: Outband sends codes by SMS`);
    }
    const merchantId = merchantOf(req);
    const lookup = { identifier: form.To, identifierKind: form.To.startsWith('+') ? ('address' as const) : ('identifier' as const) };
    const transaction = transactionOf(form);
    const locale = localeOf(form.Locale);
    // As on Twilio: a pending verification of this number in this service gets a new code.
    const open = await data.findVerification({ merchantId, ...lookup, serviceSid: service.sid }, req.correlationId);
    if (open.id) {
      try {
        const v = await data.resendVerification(
          { merchantId, verificationId: open.id, ...(locale ? { locale } : {}), ...(transaction ? { transaction } : {}) },
          req.correlationId,
        );
        res.status(201).json(verificationResource(v, service.sid, where(req), form.To));
        return;
      } catch (e) {
        // Another amount or payee: a new verification (starting it cancels the old one).
        if (!(isAppError(e) && e.code === 'TRANSACTION_MISMATCH')) {
          throw e;
        }
      }
    }
    const v = await data.startVerification(
      {
        merchantId,
        ...lookup,
        purpose: transaction ? 'transaction' : 'login',
        ...(transaction ? { transaction } : {}),
        ...(locale ? { locale } : {}),
        codeLength: service.codeLength,
        // A name saved before today's rules may fail them: then the operator's own wording.
        senderName: form.CustomFriendlyName ?? (senderName.safeParse(service.friendlyName).success ? service.friendlyName : undefined),
        serviceSid: service.sid,
      },
      req.correlationId,
    );
    res.status(201).json(verificationResource(v, service.sid, where(req), form.To));
  });

  router.get('/Services/:serviceSid/Verifications/:sid', async (req, res) => {
    const service = await serviceOf(data, req);
    const v = await data.getVerification(merchantOf(req), verificationIdOf(req, service.sid), req.correlationId);
    requireService(v.serviceSid, service.sid);
    res.json(verificationResource(v, service.sid, where(req)));
  });

  router.post('/Services/:serviceSid/Verifications/:sid', async (req, res) => {
    const form = validate(updateVerificationForm, req.body);
    const service = await serviceOf(data, req);
    const id = verificationIdOf(req, service.sid);
    requireService((await data.getVerification(merchantOf(req), id, req.correlationId)).serviceSid, service.sid);
    const v = await data.cancelVerification(merchantOf(req), id, req.correlationId, form.Status);
    res.json(verificationResource(v, service.sid, where(req)));
  });

  router.post('/Services/:serviceSid/VerificationCheck', async (req, res) => {
    const form = validate(checkForm, req.body);
    const service = await serviceOf(data, req);
    const merchantId = merchantOf(req);
    let id: string | null;
    if (form.VerificationSid) {
      // The data server refuses another service's verification before the check spends anything.
      id = fromVerificationSid(form.VerificationSid);
    } else if (form.To) {
      const kind = form.To.startsWith('+') ? ('address' as const) : ('identifier' as const);
      id = (
        await data.findVerification({ merchantId, identifier: form.To, identifierKind: kind, serviceSid: service.sid }, req.correlationId)
      ).id;
    } else {
      throw new AppError('invalid_input', 'TO_OR_SID_REQUIRED', 'Either a To or a VerificationSid must be specified');
    }
    if (!id) {
      throw new AppError(
        'not_found',
        'VERIFICATION_NOT_FOUND',
        `The requested resource /Services/${service.sid}/VerificationCheck was not found`,
      );
    }
    const transaction = transactionOf(form);
    const result = await data.checkVerification(
      merchantId,
      id,
      form.Code,
      { ...(transaction ? { transaction } : {}), serviceSid: service.sid },
      req.correlationId,
    );
    res.json(verificationCheckResource(result.verification, service.sid, where(req), form.To));
  });

  router.use(twilioFactorsRouter(data), twilioAttemptsRouter(data));
  router.use((_req, _res, next) => {
    next(new AppError('not_found', 'ROUTE_NOT_FOUND', 'The requested resource was not found'));
  });
  router.use(twilioErrorHandler(logger));
  return router;
}

/** HTTP Basic credentials, checked by the data server; the principal is the merchant. */
function basicAuth(data: DataClient): RequestHandler {
  return async (req, _res, next) => {
    const header = req.header('authorization') ?? '';
    const decoded = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon < 1) {
      throw new AppError('unauthorized', 'AUTH_MISSING', 'Authenticate');
    }
    req.twilio = await data.twilioAuth(decoded.slice(0, colon).slice(0, 64), decoded.slice(colon + 1).slice(0, 128), req.correlationId);
    req.merchantId = req.twilio.merchantId;
    next();
  };
}

function verificationIdOf(req: Request, service: string): string {
  const sid = String(req.params.sid);
  if (!/^VE[0-9a-f]{32}$/.test(sid)) {
    throw new AppError(
      'not_found',
      'VERIFICATION_NOT_FOUND',
      `The requested resource /Services/${service}/Verifications/${sid} was not found`,
    );
  }
  return fromVerificationSid(sid);
}

/** A verification of another service of the same merchant reads as not found. */
function requireService(actual: string | undefined, expected: string): void {
  if (actual !== expected) {
    throw new AppError('not_found', 'VERIFICATION_NOT_FOUND', 'The requested resource was not found');
  }
}

function transactionOf(form: { Amount?: string | undefined; Payee?: string | undefined }) {
  if (form.Amount === undefined && form.Payee === undefined) {
    return undefined;
  }
  const amount = form.Amount === undefined ? undefined : parseAmount(form.Amount);
  if (!amount || !form.Payee) {
    throw new AppError('invalid_input', 'INVALID_INPUT', 'Amount and Payee go together; Amount names a currency (€39.99, 39.99 EUR)', {
      fieldErrors: [{ field: amount ? 'Payee' : 'Amount', message: amount ? 'required with Amount' : 'must be an amount such as €39.99' }],
    });
  }
  return { ...amount, payee: form.Payee };
}

/** Twilio locales (`fr`, `fr-CA`, `en-GB` …) as ours; others fall back to the subscriber's. */
function localeOf(locale: string | undefined): 'en' | 'fr' | undefined {
  const lang = locale?.slice(0, 2).toLowerCase();
  return lang === 'fr' || lang === 'en' ? lang : undefined;
}
