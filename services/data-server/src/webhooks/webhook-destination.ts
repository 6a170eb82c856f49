import { isIP } from 'node:net';
import { isForbiddenAddress } from './special-addresses';

/** Where webhooks may go; from WEBHOOK_ALLOW_HTTP and WEBHOOK_ALLOWED_HOSTS. */
export interface WebhookDestinationPolicy {
  /** Plain http is accepted (development, the demo, tests); production sends https only. */
  allowHttp: boolean;
  /** Hosts (as `hostKey` writes them) that may be private, loopback or local names. */
  allowedHosts: ReadonlySet<string>;
}

/** What a merchant is told, whatever the reason a destination was refused: nothing to scan with. */
export const destinationNotAllowed = 'destination not allowed';

/**
 * A host as compared with the allow-list: the WHATWG URL parser's form (lower case, IPv4 in
 * dotted decimal whatever way it was written, IPv6 compressed and without brackets), with no
 * trailing dot.
 */
export function hostKey(hostname: string): string {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return bare.toLowerCase().replace(/\.$/, '');
}

export function isAllowedHost(policy: WebhookDestinationPolicy, hostname: string): boolean {
  return policy.allowedHosts.has(hostKey(hostname));
}

const notPublic = 'the webhook URL must name a public host: private, loopback, link-local and other special addresses are refused';

/**
 * Why a webhook URL is refused at registration, or undefined: its scheme, a literal address
 * that is not public, or a name that is local by definition. Names are vetted again once
 * resolved, at each delivery (see the webhook sender).
 */
export function webhookUrlProblem(policy: WebhookDestinationPolicy, raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'the webhook URL is not a valid URL';
  }
  const problem = destinationProblem(policy, url);
  if (problem !== undefined || isAllowedHost(policy, url.hostname)) {
    return problem;
  }
  const host = hostKey(url.hostname);
  return isIP(host) === 0 && isLocalName(host) ? notPublic : undefined;
}

/**
 * Why a URL may not be sent to, judged without DNS: its scheme, or a literal address that is
 * not public (a socket connects to a literal without any lookup to vet it).
 */
export function destinationProblem(policy: WebhookDestinationPolicy, url: URL): string | undefined {
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) {
    return policy.allowHttp ? 'the webhook URL must use https or http' : 'the webhook URL must use https';
  }
  const host = hostKey(url.hostname);
  return isIP(host) !== 0 && !isAllowedHost(policy, host) && isForbiddenAddress(host) ? notPublic : undefined;
}

/**
 * Names that only mean something inside a network: localhost (RFC 6761), mDNS `.local`,
 * `.home.arpa`, `.internal`, and single labels (search domains, /etc/hosts entries).
 */
function isLocalName(host: string): boolean {
  return !host.includes('.') || host === 'localhost' || /\.(localhost|local|localdomain|internal|home\.arpa)$/.test(host);
}
