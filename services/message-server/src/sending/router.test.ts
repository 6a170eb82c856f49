import { smsRoute } from '../smpp-routing.config';
import { candidateRoutes } from './router';

const route = (o: object) => smsRoute.parse(o);
const routes = [
  route({ id: 'world', connection: 'a' }),
  route({ id: 'fr', connection: 'b', prefixes: ['+33'] }),
  route({ id: 'fr-mobile', connection: 'c', prefixes: ['+336', '+337'] }),
  route({ id: 'fr-backup', connection: 'd', prefixes: ['+33'] }),
  route({ id: 'pagers', connection: 'e', prefixes: ['+33'], receiverKinds: ['pager-alpha', 'pager-numeric'] }),
];

describe('candidateRoutes', () => {
  it('orders by longest prefix, then configuration order (the failover order), catch-all last', () => {
    expect(candidateRoutes(routes, '+33612345678', 'mobile').map((r) => r.id)).toEqual(['fr-mobile', 'fr', 'fr-backup', 'world']);
    expect(candidateRoutes(routes, '+33123456789', 'mobile').map((r) => r.id)).toEqual(['fr', 'fr-backup', 'world']);
    expect(candidateRoutes(routes, '+4915112345678', 'mobile').map((r) => r.id)).toEqual(['world']);
  });

  it('keeps routes restricted to receiver kinds for those kinds only', () => {
    expect(candidateRoutes(routes, '+33700000001', 'pager-numeric').map((r) => r.id)).toEqual([
      'fr-mobile',
      'fr',
      'fr-backup',
      'pagers',
      'world',
    ]);
    expect(candidateRoutes(routes, '+33700000001', 'mobile').map((r) => r.id)).not.toContain('pagers');
  });

  it('returns nothing when no route serves the number', () => {
    expect(candidateRoutes([route({ id: 'fr', connection: 'b', prefixes: ['+33'] })], '+44', 'mobile')).toEqual([]);
  });
});
