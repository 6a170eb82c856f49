import { AppError, isAppError } from '@outband/errors';
import type { NoticeKind, Purpose, ReceiverKind } from '@outband/contracts';
import { encodeText, type EncodedMessage } from '@outband/sms-codec';
import type { SmsRoute } from '../smpp-routing.config';
import { formatStatus, isTransientStatus, smppStatus } from '../smpp/command-status';
import type { SubmitResponse } from '../smpp/smpp-client';
import { candidateRoutes } from './router';
import { renderNotice, renderText, type Locale, type TemplateParams } from './templates';

/** What dispatch needs of a connection's bind pool. */
export interface Submitter {
  readonly up: number;
  submit(fields: Record<string, unknown>): Promise<SubmitResponse>;
}

export interface OutgoingMessage {
  address: string;
  receiverKind: ReceiverKind;
  purpose: Purpose;
  locale: Locale;
}

export type DispatchResult =
  | { kind: 'submitted'; attempt: number; route: string; connection: string; smscIds: string[] }
  /** The message itself was refused (bad number …): another try cannot help. */
  | { kind: 'refused'; attempt: number | undefined; route: string | undefined; error: string }
  /** No route took it now; a later try may. */
  | { kind: 'unavailable'; errors: string[] };

export interface DispatchDeps {
  routes: readonly SmsRoute[];
  pools: ReadonlyMap<string, Submitter>;
  nextAttempt: () => Promise<number>;
  recordAttempt: (attempt: number, route: SmsRoute, smscIds: string[], state: 'submitted' | 'failed', error?: string) => Promise<void>;
  /** Concatenation reference for the next long message. */
  reference: () => number;
}

/**
 * Hands one message to the first route that takes it: routes are tried best first, and a route
 * whose binds are down, that does not answer, or that throttles passes the message to the next.
 */
export async function dispatch(
  d: DispatchDeps,
  m: OutgoingMessage,
  params: TemplateParams | { notice: NoticeKind },
): Promise<DispatchResult> {
  const routes = candidateRoutes(d.routes, m.address, m.receiverKind);
  if (routes.length === 0) {
    return { kind: 'refused', attempt: undefined, route: undefined, error: 'NO_ROUTE: no route serves this number and receiver' };
  }
  const errors: string[] = [];
  for (const route of routes) {
    const pool = d.pools.get(route.connection);
    if (!pool || pool.up === 0) {
      errors.push(`${route.id}: no bind up`);
      continue;
    }
    const attempt = await d.nextAttempt();
    const smscIds: string[] = [];
    try {
      const options = { purpose: m.purpose, locale: m.locale, receiverKind: m.receiverKind, pagerMaxLength: route.pagerMaxLength };
      const text = 'notice' in params ? renderNotice(params.notice, options) : renderText(options, params);
      const encoded = encodeText(text, {
        gsmDataCoding: route.gsmDataCoding,
        longMessages: route.longMessages,
        reference: d.reference(),
        singlePartOnly: m.receiverKind !== 'mobile',
      });
      for (const part of encoded.parts) {
        const response = await pool.submit(submitFields(route, m.address, encoded, part));
        if (response.commandStatus !== smppStatus.ROK) {
          throw refusal(response.commandStatus);
        }
        smscIds.push(response.messageId);
      }
      await d.recordAttempt(attempt, route, smscIds, 'submitted');
      return { kind: 'submitted', attempt, route: route.id, connection: route.connection, smscIds };
    } catch (e) {
      const reason = isAppError(e) ? `${e.code}: ${e.message}` : `submit failed: ${(e as Error).message}`;
      await d.recordAttempt(attempt, route, smscIds, 'failed', reason);
      if (isAppError(e) && !e.retryable) {
        return { kind: 'refused', attempt, route: route.id, error: reason };
      }
      errors.push(`${route.id}: ${reason}`);
    }
  }
  return { kind: 'unavailable', errors };
}

function refusal(status: number): AppError {
  const transient = isTransientStatus(status);
  return new AppError(transient ? 'unavailable' : 'invalid_input', 'SMPP_SUBMIT_REFUSED', `SMSC answered ${formatStatus(status)}`, {
    retryable: transient,
  });
}

/** The submit_sm fields for one part on one route. */
export function submitFields(route: SmsRoute, address: string, encoded: EncodedMessage, part: Buffer): Record<string, unknown> {
  const source = sourceOf(route);
  return {
    source_addr_ton: source.ton,
    source_addr_npi: source.npi,
    source_addr: source.addr,
    dest_addr_ton: 1,
    dest_addr_npi: 1,
    destination_addr: address.replace(/^\+/, ''),
    registered_delivery: 1,
    data_coding: encoded.dataCoding,
    esm_class: encoded.udh ? 0x40 : 0,
    short_message: encoded.payload ? Buffer.alloc(0) : part,
    ...(encoded.payload ? { message_payload: part } : {}),
    ...(route.destNetworkType !== undefined ? { dest_network_type: route.destNetworkType } : {}),
  };
}

/** Letters: alphanumeric (TON 5). Up to 8 digits: a short code (TON 3). More: international (TON 1, NPI 1). */
export function sourceOf(route: SmsRoute): { addr: string; ton: number; npi: number } {
  const digits = route.sourceAddr.replace(/^\+/, '');
  const numeric = /^\d+$/.test(digits);
  const ton = route.sourceTon ?? (!numeric ? 5 : digits.length <= 8 ? 3 : 1);
  const npi = route.sourceNpi ?? (!numeric ? 0 : ton === 1 ? 1 : 0);
  return { addr: numeric ? digits : route.sourceAddr.slice(0, 11), ton, npi };
}
