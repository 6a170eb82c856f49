import type { Request } from 'express';
import { AppError } from '@outband/errors';
import { serviceSid } from '@outband/contracts';
import type { DataClient } from '../rpc/data-client';
import type { Where } from './twilio-resources';

/** The merchant a Twilio-compatible request was authenticated as. */
export function merchantOf(req: Request): string {
  if (!req.twilio) {
    throw new AppError('unauthorized', 'AUTH_MISSING', 'Authenticate');
  }
  return req.twilio.merchantId;
}

/** Where the request's resources live, for their `url` fields. */
export function where(req: Request): Where {
  return { base: `${req.protocol}://${req.get('host') ?? 'localhost'}`, accountSid: req.twilio?.accountSid ?? '' };
}

/** The request's `:serviceSid`, a service of the merchant's (another's reads as not found). */
export async function serviceOf(data: DataClient, req: Request) {
  const sid = serviceSid.safeParse(req.params.serviceSid);
  if (!sid.success) {
    throw new AppError('not_found', 'SERVICE_NOT_FOUND', `The requested resource /Services/${String(req.params.serviceSid)} was not found`);
  }
  return data.twilioService({ merchantId: merchantOf(req), action: 'get', serviceSid: sid.data }, req.correlationId);
}

/**
 * Twilio's list envelope: the records under `key` and the paging links the package follows;
 * without `paging`, one page holding them all (lists of at most 1,000).
 */
export function listOf<T>(
  req: Request,
  key: string,
  records: T[],
  paging = { page: 0, pageSize: Math.max(records.length, 50), more: false },
) {
  const w = where(req);
  const path = req.baseUrl + req.path;
  const pageUrl = (page: number) => {
    const q = new URLSearchParams(Object.entries(req.query).filter((e): e is [string, string] => typeof e[1] === 'string'));
    q.set('PageSize', String(paging.pageSize));
    q.set('Page', String(page));
    return `${w.base}${path}?${q.toString()}`;
  };
  return {
    [key]: records,
    meta: {
      page: paging.page,
      page_size: paging.pageSize,
      first_page_url: pageUrl(0),
      previous_page_url: paging.page > 0 ? pageUrl(paging.page - 1) : null,
      next_page_url: paging.more ? pageUrl(paging.page + 1) : null,
      url: pageUrl(paging.page),
      key,
    },
  };
}
