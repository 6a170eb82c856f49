import { lookup as dnsLookup } from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isForbiddenAddress } from '../domain/special-addresses';
import { destinationProblem, hostKey, isAllowedHost, type WebhookDestinationPolicy } from '../domain/webhook-destination';

/** How one webhook POST ended. `refused`: never sent, the destination is not allowed. */
export type WebhookSendOutcome =
  | { kind: 'answered'; statusCode: number }
  | { kind: 'refused' }
  /** No HTTP answer; `cause` is for the operator's log only, never for the merchant. */
  | { kind: 'failed'; cause: string };

export interface WebhookSenderOptions {
  policy: WebhookDestinationPolicy;
  /** Bound on the whole exchange, from connecting to the status line. */
  timeoutMs: number;
}

/** Marks a lookup that found a forbidden address, so the request's error can be told apart. */
class DestinationRefused extends Error {}

/**
 * POSTs webhooks where the address connected to is the address vetted: the lookup that vets
 * the resolved addresses is the one the socket uses, so a second DNS answer (rebinding) never
 * gets a say. No redirect is followed (node:http follows none), no connection is reused.
 */
export class WebhookSender {
  private readonly lookup: LookupFunction;

  constructor(private readonly o: WebhookSenderOptions) {
    this.lookup = vettingLookup(o.policy);
  }

  post(rawUrl: string, headers: Record<string, string>, body: string): Promise<WebhookSendOutcome> {
    // The policy may have changed since registration: the URL is judged again; its name, if it
    // has one, by the addresses it resolves to now.
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      return Promise.resolve({ kind: 'refused' });
    }
    if (destinationProblem(this.o.policy, url) !== undefined) {
      return Promise.resolve({ kind: 'refused' });
    }
    const client = url.protocol === 'https:' ? https : http;
    return new Promise((resolve) => {
      let settled = false;
      const finish = (outcome: WebhookSendOutcome) => {
        if (!settled) {
          settled = true;
          resolve(outcome);
        }
      };
      const req = client.request({
        hostname: hostKey(url.hostname),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: { ...headers, host: url.host, 'content-length': String(Buffer.byteLength(body)) },
        agent: false,
        lookup: this.lookup,
      });
      // One bound for connect, TLS, headers and (after the status is known) the rest of the body.
      const timer = setTimeout(() => req.destroy(new Error('timed out')), this.o.timeoutMs);
      req.on('response', (res) => {
        finish({ kind: 'answered', statusCode: res.statusCode ?? 0 });
        res.on('error', () => undefined);
        res.on('close', () => clearTimeout(timer));
        res.resume();
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        finish(err instanceof DestinationRefused ? { kind: 'refused' } : { kind: 'failed', cause: err.code ?? err.message });
      });
      req.end(body);
    });
  }
}

/** A `lookup` for sockets that answers only when every address of the name may be reached. */
export function vettingLookup(policy: WebhookDestinationPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) {
        callback(err, '');
        return;
      }
      const vetted = isAllowedHost(policy, hostname) || !addresses.some((a) => isForbiddenAddress(a.address));
      const first = addresses[0];
      if (!vetted || !first) {
        callback(new DestinationRefused('destination not allowed'), '');
        return;
      }
      if (options.all) {
        callback(null, addresses);
      } else {
        callback(null, first.address, first.family);
      }
    });
  };
}
