import { z } from 'zod';
import { hostKey } from './webhook-destination';

/**
 * WEBHOOK_ALLOWED_HOSTS: `host,host,…` (names, IPv4, IPv6 with or without brackets), each
 * written the way the URL parser writes a webhook URL's host, so `0x7f.1` and `127.0.0.1` are
 * one entry. Empty: no exception.
 */
export const webhookAllowedHosts = z.string().transform((value, ctx): ReadonlySet<string> => {
  const hosts = new Set<string>();
  for (const entry of value
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean)) {
    const written = entry.includes(':') && !entry.startsWith('[') ? `[${entry}]` : entry;
    let hostname: string | undefined;
    try {
      const url = new URL(`http://${written}/`);
      hostname = url.port === '' && url.pathname === '/' && url.username === '' ? url.hostname : undefined;
    } catch {
      hostname = undefined;
    }
    if (hostname === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${entry}" is not a host name or IP address (no scheme, port or path)` });
      return z.NEVER;
    }
    hosts.add(hostKey(hostname));
  }
  return hosts;
});
