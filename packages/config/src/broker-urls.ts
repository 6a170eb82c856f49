// A comma starts another node only where a scheme follows: a comma inside one URL (a password
// may hold one) leaves that URL whole.
const nodeSeparator = /\s*,\s*(?=[a-z][a-z0-9+.-]*:\/\/)/i;

/** The user and vhost a broker URL logs in with, as amqplib reads it: no user is guest, no vhost is `/`. */
function loginOf(u: URL): string {
  const user = u.username === '' && u.password === '' ? 'guest' : decodeURIComponent(u.username);
  return `${user}\0${decodeURIComponent(u.pathname.slice(1)) || '/'}`;
}

/**
 * The broker URLs of an `AMQP_URL`: one, or the nodes of a cluster, comma-separated. Each is an
 * amqp or amqps URL, and all log in as one user into one vhost: the bus stamps one `user_id` and
 * must find the same queues on whichever node it reaches. Answers why not when they are not.
 */
export function splitBrokerUrls(value: string): { urls: string[] } | { error: string } {
  const urls = value
    .trim()
    .split(nodeSeparator)
    .filter((u) => u !== '');
  const parsed = urls.map((u) => {
    try {
      return new URL(u);
    } catch {
      return undefined;
    }
  });
  if (parsed.length === 0 || parsed.some((u) => u === undefined || !['amqp:', 'amqps:'].includes(u.protocol))) {
    return { error: 'must be a URL with scheme amqp or amqps, or several, comma-separated' };
  }
  // Only a password may hold a comma: anywhere else it is a node written without its scheme.
  if (parsed.some((u) => `${u?.host}${u?.pathname}${u?.search}`.includes(','))) {
    return { error: 'each node needs a URL of its own: amqp://user:password@node1,amqp://user:password@node2' };
  }
  if (new Set(parsed.map((u) => (u ? loginOf(u) : ''))).size > 1) {
    return { error: 'every node must be given the same user and vhost' };
  }
  return { urls };
}
