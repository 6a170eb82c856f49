import { AppError } from '@outband/errors';
import { BrokerNodes, brokerUrls, nodeOf } from './broker-urls';

const node = (n: number) => `amqp://outband-data:secret@rabbit-${n}:5672/outband`;

function refusal(value: string): AppError | undefined {
  try {
    brokerUrls(value);
  } catch (e) {
    return e instanceof AppError ? e : undefined;
  }
  return undefined;
}

describe('brokerUrls', () => {
  it('keeps a single URL as it is', () => {
    expect(brokerUrls('amqp://guest:guest@127.0.0.1:5672')).toEqual(['amqp://guest:guest@127.0.0.1:5672']);
    expect(brokerUrls('amqps://u:p@broker/outband?heartbeat=30')).toEqual(['amqps://u:p@broker/outband?heartbeat=30']);
  });

  it('splits the nodes of a cluster, in order, spaces around the commas dropped', () => {
    expect(brokerUrls(`${node(1)},${node(2)} , ${node(3)}`)).toEqual([node(1), node(2), node(3)]);
    expect(brokerUrls(`amqp://h1:5672,amqps://h2:5671`)).toEqual(['amqp://h1:5672', 'amqps://h2:5671']);
  });

  it('leaves a comma inside one URL alone (a password may hold one)', () => {
    expect(brokerUrls('amqp://outband:pa,ss@h1:5672/outband')).toEqual(['amqp://outband:pa,ss@h1:5672/outband']);
    expect(brokerUrls('amqp://outband:pa,ss@h1/outband,amqp://outband:pa,ss@h2/outband')).toEqual([
      'amqp://outband:pa,ss@h1/outband',
      'amqp://outband:pa,ss@h2/outband',
    ]);
  });

  it('refuses what is no amqp or amqps URL, and hosts listed in one URL', () => {
    for (const bad of ['', 'rabbit-1:5672', 'http://rabbit-1', `${node(1)},rabbit-2:5672`, `${node(1)},http://rabbit-2`]) {
      expect(refusal(bad)).toMatchObject({ code: 'CONFIG_INVALID', retryable: false });
    }
    expect(() => brokerUrls('amqp://u:p@rabbit-1,rabbit-2/outband')).toThrow(/a URL of its own/);
    expect(() => brokerUrls(`${node(1)},rabbit-2:5672`)).toThrow(/a URL of its own/);
  });

  it('refuses nodes given different users or vhosts: the bus stamps one user and needs one topology', () => {
    expect(() => brokerUrls(`${node(1)},amqp://outband-message:secret@rabbit-2:5672/outband`)).toThrow(/same user and vhost/);
    expect(() => brokerUrls(`${node(1)},amqp://outband-data:secret@rabbit-2:5672/other`)).toThrow(/same user and vhost/);
    // No user is guest and no vhost is `/`, as amqplib reads them.
    expect(brokerUrls('amqp://h1,amqp://guest:guest@h2/')).toHaveLength(2);
    expect(brokerUrls('amqp://u:p@h1/%2F,amqp://u:q@h2')).toHaveLength(2);
  });
});

describe('BrokerNodes', () => {
  it('answers the nodes in turn from the first one given, round and round', () => {
    const nodes = new BrokerNodes([node(1), node(2), node(3)], 1);
    expect(Array.from({ length: 5 }, () => nodes.take())).toEqual([node(2), node(3), node(1), node(2), node(3)]);
  });

  it('starts on any node: clients spread over the cluster', () => {
    const urls = [node(1), node(2), node(3)];
    const firsts = new Set(Array.from({ length: 200 }, () => new BrokerNodes(urls).take()));
    expect(firsts).toEqual(new Set(urls));
  });

  it('always answers the one URL of a single broker', () => {
    const nodes = new BrokerNodes(['amqp://guest:guest@127.0.0.1:5672']);
    expect([nodes.take(), nodes.take()]).toEqual(['amqp://guest:guest@127.0.0.1:5672', 'amqp://guest:guest@127.0.0.1:5672']);
  });
});

describe('nodeOf', () => {
  it('names host and port, never the credentials', () => {
    expect(nodeOf(node(2))).toBe('rabbit-2:5672');
    expect(nodeOf('amqp://u:p@h')).toBe('h:5672');
    expect(nodeOf('amqps://u:p@h/v')).toBe('h:5671');
  });
});
