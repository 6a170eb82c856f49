import { Router } from 'express';
import { z } from 'zod';
import { AppError } from '@outband/errors';
import { e164, identifier, serviceSid } from '@outband/contracts';
import type { DataClient } from '../rpc/data-client';
import { validate } from '../http/validate';
import { listOf, merchantOf, where } from './twilio-request';
import { attemptResource, attemptsSummaryResource, fromAttemptSid } from './twilio-factor-resources';
import { fromVerificationSid } from './twilio-resources';

const unsupported = (what: string) =>
  z.never({ error: `${what} is not supported here: filter by service, number, channel or date` }).optional();
const filters = {
  VerifyServiceSid: serviceSid.optional(),
  DateCreatedAfter: z.iso.datetime({ offset: true }).optional(),
  DateCreatedBefore: z.iso.datetime({ offset: true }).optional(),
  Channel: z.string().max(16).optional(),
  Country: unsupported('Country'),
};
const listQuery = z.object({
  ...filters,
  'ChannelData.To': z.union([e164, identifier]).optional(),
  VerificationSid: z
    .string()
    .regex(/^VE[0-9a-f]{32}$/, 'must be VE and 32 hex digits')
    .optional(),
  Status: z.enum(['converted', 'unconverted']).optional(),
  PageSize: z.coerce.number().int().min(1).max(1000).default(50),
  Page: z.coerce.number().int().min(0).max(1_000).default(0),
  PageToken: z.string().max(200).optional(),
});
const summaryQuery = z.object({ ...filters, DestinationPrefix: unsupported('DestinationPrefix') });

const dates = (q: { DateCreatedAfter?: string | undefined; DateCreatedBefore?: string | undefined }) => ({
  ...(q.DateCreatedAfter ? { createdAfter: new Date(q.DateCreatedAfter).toISOString() } : {}),
  ...(q.DateCreatedBefore ? { createdBefore: new Date(q.DateCreatedBefore).toISOString() } : {}),
});

/**
 * Twilio Verify's Verification Attempts: one per verification of the merchant's services, converted
 * once its code was typed back, listed (by service, number, channel, status or date) or summed.
 */
export function twilioAttemptsRouter(data: DataClient): Router {
  const router = Router();

  router.get('/Attempts', async (req, res) => {
    const q = validate(listQuery, req.query);
    const page = await data.twilioAttempts(
      {
        merchantId: merchantOf(req),
        action: 'list',
        ...(q.VerifyServiceSid ? { serviceSid: q.VerifyServiceSid } : {}),
        ...(q.VerificationSid ? { verificationId: fromVerificationSid(q.VerificationSid) } : {}),
        ...(q['ChannelData.To'] ? { to: q['ChannelData.To'] } : {}),
        ...(q.Channel ? { channel: q.Channel } : {}),
        ...(q.Status ? { status: q.Status } : {}),
        ...dates(q),
        page: q.Page,
        pageSize: q.PageSize,
      },
      req.correlationId,
    );
    const records = page.attempts.map((a) => attemptResource(a, where(req)));
    res.json(listOf(req, 'attempts', records, { page: q.Page, pageSize: q.PageSize, more: page.more }));
  });

  router.get('/Attempts/Summary', async (req, res) => {
    const q = validate(summaryQuery, req.query);
    const counts = await data.twilioAttempts(
      {
        merchantId: merchantOf(req),
        action: 'summary',
        ...(q.VerifyServiceSid ? { serviceSid: q.VerifyServiceSid } : {}),
        ...(q.Channel ? { channel: q.Channel } : {}),
        ...dates(q),
      },
      req.correlationId,
    );
    res.json(attemptsSummaryResource(counts, where(req)));
  });

  router.get('/Attempts/:sid', async (req, res) => {
    const sid = String(req.params.sid);
    const found = /^VL[0-9a-f]{32}$/.test(sid)
      ? await data.twilioAttempts(
          { merchantId: merchantOf(req), action: 'list', verificationId: fromAttemptSid(sid), pageSize: 1 },
          req.correlationId,
        )
      : undefined;
    const attempt = found?.attempts[0];
    if (!attempt) {
      throw new AppError('not_found', 'ATTEMPT_NOT_FOUND', `The requested resource /Attempts/${sid} was not found`);
    }
    res.json(attemptResource(attempt, where(req)));
  });

  return router;
}
