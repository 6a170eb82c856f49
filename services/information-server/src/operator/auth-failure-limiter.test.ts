import { addressBlock } from './auth-failure-limiter';

describe('addressBlock: what operator login attempts are counted by', () => {
  it('counts an IPv4 client by its address', () => {
    expect(addressBlock('203.0.113.7')).toBe('203.0.113.7');
    expect(addressBlock('203.0.113.8')).not.toBe(addressBlock('203.0.113.7'));
  });

  it('counts every address of an IPv6 /64 as one client, however it is written', () => {
    const block = '2001:db8:85a3:42::/64';
    for (const ip of [
      '2001:db8:85a3:42::1',
      '2001:0db8:85a3:0042:0000:0000:0000:0001',
      '2001:DB8:85A3:42:ffff:ffff:ffff:fffe',
      '2001:db8:85a3:42:1234:5678:9abc:def0',
      '2001:db8:85a3:42::c000:201', // 192.0.2.1 written in the low bits
      '2001:db8:85a3:42:0:0:192.0.2.1',
      '2001:db8:85a3:42::1%eth0', // a zone index is not part of the host
    ]) {
      expect(addressBlock(ip)).toBe(block);
    }
  });

  it('keeps neighbouring /64s apart', () => {
    expect(addressBlock('2001:db8:85a3:43::1')).toBe('2001:db8:85a3:43::/64');
    expect(addressBlock('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressBlock('::1')).toBe('0:0:0:0::/64');
  });

  it('counts an IPv4 client seen through a dual-stack socket as that IPv4 address', () => {
    expect(addressBlock('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressBlock('::ffff:cb00:7107')).toBe('203.0.113.7');
  });

  it('leaves anything that is not an address as it is', () => {
    expect(addressBlock('unknown')).toBe('unknown');
    expect(addressBlock('2001:db8::1::2')).toBe('2001:db8::1::2');
  });
});
