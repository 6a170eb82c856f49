import twilio from 'twilio';
import { api } from './http';
import type { Suite } from './suite';

/** Credentials the admin API issues for the Twilio-compatible surface. */
export interface TwilioCredentials {
  accountSid: string;
  sid: string;
  secret: string;
}

/** The official `twilio` package, pointed at the suite: the one line an application changes. */
export function twilioClient(suite: Suite, username: string, password: string, accountSid?: string): twilio.Twilio {
  const c = twilio(username, password, accountSid ? { accountSid } : {});
  c.verify.baseUrl = suite.baseUrl;
  return c;
}

/** Issues credentials of `kind` to a merchant through the admin API. */
export async function issueTwilioCredentials(
  suite: Suite,
  adminToken: string,
  merchantId: string,
  kind: 'auth_token' | 'api_key' = 'auth_token',
): Promise<TwilioCredentials> {
  const issued = await api(suite, 'POST', `/admin/v1/merchants/${merchantId}/twilio-credentials`, { token: adminToken, body: { kind } });
  if (issued.status !== 201) {
    throw new Error(`issuing Twilio credentials answered ${issued.status}`);
  }
  return issued.body.credentials as TwilioCredentials;
}

/** What the package's RestException carries, or zeros when the call succeeded. */
export async function twilioError(p: Promise<unknown>): Promise<{ status: number; code: number; message: string; moreInfo: string }> {
  const e = (await p.then(
    () => ({ status: 0, code: 0, message: '', moreInfo: '' }),
    (err: unknown) => err,
  )) as { status: number; code: number; message: string; moreInfo: string };
  return { status: e.status, code: e.code, message: e.message, moreInfo: e.moreInfo };
}
