import { z } from 'zod';
import { busEnv } from './common-env';
import { parseEnv } from './parse-env';

const schema = z.object(busEnv);
const amqpUrl = (value: string) => parseEnv(schema, { AMQP_URL: value }).AMQP_URL;
const refusal = (value: string): string => {
  try {
    parseEnv(schema, { AMQP_URL: value });
  } catch (e) {
    return (e as Error).message;
  }
  return 'accepted';
};

describe('AMQP_URL', () => {
  it('takes one broker URL as it is, and defaults to the local broker', () => {
    expect(amqpUrl('amqps://outband:secret@rabbit/outband?heartbeat=30')).toBe('amqps://outband:secret@rabbit/outband?heartbeat=30');
    expect(parseEnv(schema, {}).AMQP_URL).toBe('amqp://guest:guest@127.0.0.1:5672');
  });

  it("takes a cluster's nodes, comma-separated, passing the list on unchanged", () => {
    const nodes =
      'amqp://outband:secret@rabbit-1:5672/outband, amqp://outband:secret@rabbit-2:5672/outband,amqps://outband:secret@rabbit-3/outband';
    expect(amqpUrl(nodes)).toBe(nodes);
    // A comma in a password is part of that URL, not a new node.
    expect(amqpUrl('amqp://outband:se,cret@rabbit-1/outband,amqp://outband:se,cret@rabbit-2/outband')).toContain('rabbit-2');
  });

  it('checks each node: an amqp or amqps URL of its own', () => {
    expect(refusal('http://rabbit-1')).toMatch(/AMQP_URL: must be a URL with scheme amqp or amqps/);
    expect(refusal('amqp://rabbit-1,http://rabbit-2')).toMatch(/AMQP_URL: must be a URL with scheme amqp or amqps/);
    expect(refusal('amqp://rabbit-1,')).toMatch(/AMQP_URL: each node needs a URL of its own/);
    expect(refusal('amqp://u:p@rabbit-1,rabbit-2/outband')).toMatch(/AMQP_URL: each node needs a URL of its own/);
    expect(refusal('amqp://u:p@rabbit-1/outband,rabbit-2:5672')).toMatch(/AMQP_URL: each node needs a URL of its own/);
  });

  it('wants one user and vhost on every node', () => {
    expect(refusal('amqp://a:p@rabbit-1/outband,amqp://b:p@rabbit-2/outband')).toMatch(
      /AMQP_URL: every node must be given the same user and vhost/,
    );
    expect(refusal('amqp://a:p@rabbit-1/outband,amqp://a:p@rabbit-2/other')).toMatch(/same user and vhost/);
    expect(refusal('amqp://rabbit-1,amqp://guest:guest@rabbit-2/')).toBe('accepted');
  });
});
