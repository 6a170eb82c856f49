import { promises as dnsPromises, type LookupAddress } from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isForbiddenAddress } from './special-addresses';
import { destinationProblem, hostKey, isAllowedHost, type WebhookDestinationPolicy } from './webhook-destination';

/** How one webhook POST ended. `refused`: never sent, the destination is not allowed. */
export type WebhookSendOutcome =
  | { kind: 'answered'; statusCode: number }
  | { kind: 'refused' }
  /** No HTTP answer; `cause` is for the operator's log only, never for the merchant. */
  | { kind: 'failed'; cause: string };

/** How the names of webhook URLs are resolved: by DNS queries on the event loop, never getaddrinfo. */
export interface WebhookResolverOptions {
  /**
   * DNS servers, `address` or `address:port`.
   * @defaultValue the system's (/etc/resolv.conf)
   */
  servers?: string[];
  /**
   * How long the first try of a query waits; each further try waits twice as long.
   * @defaultValue 1000
   */
  timeoutMs?: number;
  /**
   * Tries of each query at each server.
   * @defaultValue 2
   */
  tries?: number;
}

export interface WebhookSenderOptions {
  policy: WebhookDestinationPolicy;
  /** Bound on the whole exchange, from resolving the name to the status line. */
  timeoutMs: number;
  /** The resolver's servers and bounds. */
  dns?: WebhookResolverOptions;
}

/** Marks a lookup that found a forbidden address, so the request's error can be told apart. */
class DestinationRefused extends Error {}

/**
 * POSTs webhooks where the address connected to is the address vetted: the lookup that vets
 * the resolved addresses is the one the socket uses, so a second DNS answer (rebinding) never
 * gets a say. No redirect is followed (node:http follows none), no connection is reused, and
 * the connection is closed as soon as the status is known: the body is never read.
 */
export class WebhookSender {
  private readonly lookup: LookupFunction;

  constructor(private readonly o: WebhookSenderOptions) {
    this.lookup = vettingLookup(o.policy, o.dns);
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
      // One bound for the lookup, connect, TLS and the status line.
      const timer = setTimeout(() => req.destroy(new Error('timed out')), this.o.timeoutMs);
      req.on('response', (res) => {
        clearTimeout(timer);
        finish({ kind: 'answered', statusCode: res.statusCode ?? 0 });
        // The status is all a delivery needs: a body dripped slowly must not hold the socket
        // once the delivery's slot is free (that would escape the concurrency limits).
        res.on('error', () => undefined);
        res.destroy();
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        finish(err instanceof DestinationRefused ? { kind: 'refused' } : { kind: 'failed', cause: err.code ?? err.message });
      });
      req.end(body);
    });
  }
}

/**
 * A `lookup` for sockets that answers only when every address of the name may be reached.
 * Names are resolved with a DNS resolver (c-ares, on the event loop, each query bounded), not
 * with getaddrinfo: that blocks one of libuv's four threads for as long as a slow authoritative
 * server takes, and a merchant's names could then stall the data server's own lookups, files and
 * crypto. `localhost` is loopback (RFC 6761). Allow-listed names, chosen by the operator, are
 * resolved as the system does (/etc/hosts included).
 */
export function vettingLookup(policy: WebhookDestinationPolicy, o: WebhookResolverOptions = {}): LookupFunction {
  const resolver = new dnsPromises.Resolver({ timeout: o.timeoutMs ?? 1000, tries: o.tries ?? 2 });
  if (o.servers) {
    resolver.setServers(o.servers);
  }
  return (hostname, options, callback) => {
    const family = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0;
    void addressesOf(resolver, policy, hostname, family).then(
      (addresses) => {
        const vetted = isAllowedHost(policy, hostname) || !addresses.some((a) => isForbiddenAddress(a.address));
        const first = addresses[0];
        if (!vetted || !first) {
          callback(new DestinationRefused('destination not allowed'), '');
        } else if (options.all) {
          callback(null, addresses);
        } else {
          callback(null, first.address, first.family);
        }
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
}

const loopback: LookupAddress[] = [
  { address: '127.0.0.1', family: 4 },
  { address: '::1', family: 6 },
];

/** Every address of the name, IPv4 first; only those of `family` unless it is 0. */
async function addressesOf(
  resolver: dnsPromises.Resolver,
  policy: WebhookDestinationPolicy,
  hostname: string,
  family: 0 | 4 | 6,
): Promise<LookupAddress[]> {
  const host = hostKey(hostname);
  if (host === 'localhost' || host.endsWith('.localhost')) {
    return loopback.filter((a) => family === 0 || a.family === family);
  }
  if (isAllowedHost(policy, host)) {
    return dnsPromises.lookup(host, { all: true, family });
  }
  const [v4, v6] = await Promise.allSettled([
    family === 6 ? Promise.resolve([]) : resolver.resolve4(host),
    family === 4 ? Promise.resolve([]) : resolver.resolve6(host),
  ]);
  // A family that fails (no record, or no answer in time) leaves the other's addresses, each
  // vetted: the socket can connect to nothing else.
  const addresses = [
    ...(v4.status === 'fulfilled' ? v4.value.map((address) => ({ address, family: 4 })) : []),
    ...(v6.status === 'fulfilled' ? v6.value.map((address) => ({ address, family: 6 })) : []),
  ];
  if (addresses.length === 0) {
    throw [v4, v6].map((r) => (r.status === 'rejected' ? (r.reason as Error) : undefined)).find((e) => e !== undefined) ?? notFound(host);
  }
  return addresses;
}

function notFound(host: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`no address for ${host}`), { code: 'ENOTFOUND' });
}
