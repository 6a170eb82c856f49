import type { ReceiverKind } from '@outband/contracts';
import type { SmsRoute } from '../smpp-routing.config';

/**
 * The routes that may carry a message to `address`, best first: the longest matching prefix
 * wins, a catch-all route (no prefixes) comes last; ties keep the configured order, which is
 * the failover order.
 */
export function candidateRoutes(routes: readonly SmsRoute[], address: string, kind: ReceiverKind): SmsRoute[] {
  return routes
    .map((route, order) => ({ route, order, match: matchLength(route, address) }))
    .filter((c) => c.match >= 0 && (c.route.receiverKinds.length === 0 || c.route.receiverKinds.includes(kind)))
    .sort((a, b) => b.match - a.match || a.order - b.order)
    .map((c) => c.route);
}

// Length of the longest prefix of the route that matches; 0 for a catch-all; -1 for no match.
function matchLength(route: SmsRoute, address: string): number {
  if (route.prefixes.length === 0) {
    return 0;
  }
  return Math.max(-1, ...route.prefixes.filter((p) => address.startsWith(p)).map((p) => p.length));
}
